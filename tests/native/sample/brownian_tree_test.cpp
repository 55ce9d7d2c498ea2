// torchsde's BrownianTree: Python-exact rounding of times, every node of the reference trace
// (the bridge at each depth), order- and cache-independence, and the Brownian-motion
// properties of its increments.
#include "sample/brownian_tree.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "brownian_tree_vectors.h"

namespace {

using sdn::BrownianTree;
using sdn::round6;
using sdn_test::as_double;
using sdn_test::field;

TEST(Round6, IsPythonsRoundToSixDigits) {
    // Exact binary ties go to the even digit, as Python's correctly rounded round() does;
    // round(x * 1e6) / 1e6 would give 0.007813 for the first.
    EXPECT_EQ(round6(0.0078125), 0.007812);
    EXPECT_EQ(round6(0.0234375), 0.023438);
    EXPECT_EQ(round6(14.614602088928223), 14.614602);
    EXPECT_EQ(round6(6.082771301269531), 6.082771);
    EXPECT_EQ(round6(0.02920001931488514), 0.0292);
    EXPECT_EQ(round6(-1.0000005000000001), -1.000001);
}

TEST(Round6, MatchesPythonOnEveryReferenceQueryTime) {
    SDN_REQUIRE_BROWNIAN_VECTORS(vectors);
    int checked = 0;
    for (const auto& c : field(vectors, "cases").array) {
        EXPECT_EQ(round6(as_double(field(c, "tree_t0"))), as_double(field(c, "tree_start_rounded")));
        EXPECT_EQ(round6(as_double(field(c, "tree_t1"))), as_double(field(c, "tree_end_rounded")));
        for (const auto& q : field(c, "queries").array) {
            EXPECT_EQ(round6(as_double(field(q, "ta"))), as_double(field(q, "ta_rounded")));
            EXPECT_EQ(round6(as_double(field(q, "tb"))), as_double(field(q, "tb_rounded")));
            checked += 2;
        }
    }
    EXPECT_GT(checked, 100);
}

TEST(BrownianTree, EveryNodeOfTheReferenceTraceMatchesTorchsde) {
    SDN_REQUIRE_BROWNIAN_VECTORS(vectors);
    const auto& trace = field(vectors, "debug_trace_seed42_query0");
    // The first dpmpp_2m_sde seed-42 case has the trace's tree (karras schedule ends).
    const sdn::json::Value* tree_case = nullptr;
    for (const auto& c : field(vectors, "cases").array)
        if (sdn_test::as_u64(field(c, "seed")) == 42 && !tree_case) tree_case = &c;
    ASSERT_NE(tree_case, nullptr);
    BrownianTree tree(42, sdn_test::f32_from_hex(field(*tree_case, "tree_t0_f32")),
                      sdn_test::f32_from_hex(field(*tree_case, "tree_t1_f32")), {1, 4, 8, 8});
    const auto& nodes = field(trace, "nodes").array;
    ASSERT_GT(nodes.size(), 20u);
    for (const auto& n : nodes) {
        const double start = as_double(field(n, "start")), end = as_double(field(n, "end"));
        SCOPED_TRACE("node [" + field(n, "start").string + ", " + field(n, "end").string + "] depth " +
                     std::to_string(field(n, "depth").integer));
        // A query that is exactly one node's interval is answered by that node alone.
        const sdn::Tensor w = tree.increment(start, end);
        const auto& want = field(n, "W_first4").array;
        for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(w.data()[k], static_cast<float>(want[k].number));
    }
    // The whole query: the 16 pieces summed left to right.
    const double ta = 6.082771301269531, tb = 14.614602088928223;
    const sdn::Tensor sum = tree.increment(ta, tb);
    const auto& want_sum = field(trace, "W_sum_first8").array;
    for (size_t k = 0; k < want_sum.size(); ++k) EXPECT_EQ(sum.data()[k], static_cast<float>(want_sum[k].number));
}

std::vector<float> values(BrownianTree& tree, double a, double b) {
    const sdn::Tensor t = tree.increment(a, b);
    return std::vector<float>(t.data(), t.data() + t.size());
}

TEST(BrownianTree, ValuesDoNotDependOnQueryOrderOrCacheEvictions) {
    const std::vector<std::pair<double, double>> queries = {
        {6.0827713, 14.6146021}, {2.23269105, 6.0827713}, {0.692866921, 2.23269105}, {0.169875354, 0.692866921}};
    BrownianTree in_order(7, 0.0292000193, 14.6146021, {1, 4, 8, 8});
    std::vector<std::vector<float>> want;
    for (auto [a, b] : queries) want.push_back(values(in_order, a, b));

    BrownianTree reversed(7, 0.0292000193, 14.6146021, {1, 4, 8, 8});
    for (size_t i = queries.size(); i-- > 0;)
        EXPECT_EQ(values(reversed, queries[i].first, queries[i].second), want[i]) << i;

    // Many unrelated queries between the real ones push every cached node out.
    BrownianTree churned(7, 0.0292000193, 14.6146021, {1, 4, 8, 8});
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> time(0.03, 14.6);
    for (size_t i = 0; i < queries.size(); ++i) {
        for (int j = 0; j < 30; ++j) {
            const double a = time(rng), b = time(rng);
            (void)churned.increment(std::min(a, b), std::max(a, b));
        }
        EXPECT_EQ(values(churned, queries[i].first, queries[i].second), want[i]) << i;
    }
}

TEST(BrownianTree, TimesOutsideTheRootAreClampedAndEqualTimesGiveZero) {
    BrownianTree tree(1, 0.5, 2.0, {1, 1, 4, 4});
    EXPECT_EQ(values(tree, 0.1, 3.0), values(tree, 0.5, 2.0));
    for (float v : values(tree, 1.25, 1.25)) EXPECT_EQ(v, 0.0f);
    for (float v : values(tree, 2.5, 3.0)) EXPECT_EQ(v, 0.0f);  // both clamp to the end
    EXPECT_THROW(tree.increment(1.5, 1.0), sdn::Error);
}

// ---- Brownian-motion properties over many elements ----------------------------------------

constexpr int64_t kN = 20000;

double mean(const std::vector<float>& v) {
    double s = 0;
    for (float x : v) s += x;
    return s / static_cast<double>(v.size());
}

double covariance(const std::vector<float>& a, const std::vector<float>& b) {
    const double ma = mean(a), mb = mean(b);
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += (a[i] - ma) * (b[i] - mb);
    return s / static_cast<double>(a.size());
}

TEST(BrownianTree, IncrementsHaveTheVarianceOfTheirSpan) {
    BrownianTree tree(7, 0.03, 14.6, {1, 1, 1, kN});
    for (auto [a, b] : {std::pair{10.0, 14.6}, std::pair{9.5, 10.0}, std::pair{0.03, 0.5}}) {
        auto w = values(tree, a, b);
        EXPECT_NEAR(mean(w) / std::sqrt(b - a), 0.0, 0.03);
        EXPECT_NEAR(covariance(w, w) / (b - a), 1.0, 0.05);
    }
}

TEST(BrownianTree, IncrementsAddUpAlongThePath) {
    BrownianTree tree(11, 0.03, 14.6, {1, 1, 1, kN});
    auto ab = values(tree, 6.0, 12.0), bc = values(tree, 2.0, 6.0), ac = values(tree, 2.0, 12.0);
    for (int64_t i = 0; i < kN; ++i) ASSERT_NEAR(ac[i], ab[i] + bc[i], 1e-5) << i;
}

TEST(BrownianTree, DisjointIncrementsAreUncorrelatedAndNestedOnesAreNot) {
    BrownianTree tree(3, 0.03, 14.6, {1, 1, 1, kN});
    auto first = values(tree, 8.0, 14.6), second = values(tree, 3.0, 8.0);
    EXPECT_NEAR(covariance(first, second), 0.0, 0.04 * std::sqrt(6.6 * 5.0));
    // [2, 4] inside [1, 4]: covariance = the shared span, 2.
    auto inner = values(tree, 2.0, 4.0), outer = values(tree, 1.0, 4.0);
    EXPECT_NEAR(covariance(inner, outer), 2.0, 0.1);
}

TEST(BrownianTree, SeedDeterminesThePath) {
    BrownianTree a(42, 0.03, 14.6, {1, 1, 1, 64}), b(42, 0.03, 14.6, {1, 1, 1, 64}), c(43, 0.03, 14.6, {1, 1, 1, 64});
    EXPECT_EQ(values(a, 5.0, 10.0), values(b, 5.0, 10.0));
    EXPECT_NE(values(a, 5.0, 10.0), values(c, 5.0, 10.0));
}

}  // namespace
