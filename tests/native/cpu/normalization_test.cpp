#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using sdn::DType;
using namespace sdn_test;

class GroupNormPerVariant : public sdn_test::EveryVariant {};
class LayerNormPerVariant : public sdn_test::EveryVariant {};
class SoftmaxPerVariant : public sdn_test::EveryVariant {};

TEST_P(GroupNormPerVariant, MatchesReferenceWithAndWithoutAffineAndSilu) {
    struct Case { int64_t B, C, HW; int groups; };
    const Case cases[] = {{1, 32, 1, 32}, {2, 64, 37, 32}, {1, 96, 200, 32}, {2, 6, 5, 3}};
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (const auto& c : cases)
        for (bool affine : {false, true})
            for (bool silu : {false, true}) {
                SCOPED_TRACE(testing::Message() << "C=" << c.C << " HW=" << c.HW << " affine=" << affine << " silu=" << silu);
                // An offset mean makes a one-pass variance lose digits; the kernel must not.
                auto x = random_vector(c.B * c.C * c.HW, 21, 50.0f, 52.0f);
                auto g = make_weight(DType::F16, {c.C}, random_vector(c.C, 22, 0.5f, 1.5f));
                auto b = make_weight(DType::F32, {c.C}, random_vector(c.C, 23));
                std::vector<float> got(x.size()), want(x.size());
                sdn::ops::group_norm(*ctx, x.data(), c.B, c.C, c.HW, c.groups, 1e-5f, affine ? &g.ref : nullptr,
                                     affine ? &b.ref : nullptr, got.data(), silu);
                sdn::ref::group_norm(x.data(), c.B, c.C, c.HW, c.groups, 1e-5f, affine ? &g.ref : nullptr,
                                     affine ? &b.ref : nullptr, want.data(), silu);
                EXPECT_LT(normalized_error(got, want), 2e-5);
            }
}

TEST(GroupNorm, ConstantGroupNormalisesToBeta) {
    // Zero variance: (x - mean) = 0 exactly, so the output is beta (hand-derived).
    auto ctx = variant_context(sdn::best_cpu_variant());
    std::vector<float> x(4 * 3, 7.0f), y(12);
    auto b = make_weight(DType::F32, {4}, {1.0f, 2.0f, 3.0f, 4.0f});
    sdn::ops::group_norm(*ctx, x.data(), 1, 4, 3, 2, 1e-6f, nullptr, &b.ref, y.data());
    for (int c = 0; c < 4; ++c)
        for (int i = 0; i < 3; ++i) EXPECT_FLOAT_EQ(y[c * 3 + i], float(c + 1));
}

TEST_P(LayerNormPerVariant, MatchesReference) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (int64_t dim : {1, 7, 64, 320, 1281}) {
        SCOPED_TRACE(dim);
        const int64_t rows = 13;
        auto x = random_vector(rows * dim, 24, -3.0f, 5.0f);
        auto g = make_weight(DType::BF16, {dim}, random_vector(dim, 25));
        auto b = make_weight(DType::F16, {dim}, random_vector(dim, 26));
        std::vector<float> got(x.size()), want(x.size());
        sdn::ops::layer_norm(*ctx, x.data(), rows, dim, 1e-5f, &g.ref, &b.ref, got.data());
        sdn::ref::layer_norm(x.data(), rows, dim, 1e-5f, &g.ref, &b.ref, want.data());
        EXPECT_LT(normalized_error(got, want), 2e-5);
        sdn::ops::layer_norm(*ctx, x.data(), rows, dim, 1e-5f, nullptr, nullptr, got.data());
        sdn::ref::layer_norm(x.data(), rows, dim, 1e-5f, nullptr, nullptr, want.data());
        EXPECT_LT(normalized_error(got, want), 2e-5);
    }
}

TEST_P(SoftmaxPerVariant, MatchesReferenceIncludingLargeLogits) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (int64_t n : {1, 5, 16, 77, 1000}) {
        SCOPED_TRACE(n);
        auto x = random_vector(9 * n, 27, -30.0f, 90.0f);
        auto want = x;
        sdn::ops::softmax_rows(*ctx, x.data(), 9, n);
        sdn::ref::softmax_rows(want.data(), 9, n);
        EXPECT_LT(normalized_error(x, want), 1e-5);
    }
}

TEST(Softmax, TwoEqualLogitsGiveOneHalf) {
    auto ctx = variant_context(sdn::best_cpu_variant());
    std::vector<float> x = {3.0f, 3.0f, -INFINITY};
    sdn::ops::softmax_rows(*ctx, x.data(), 1, 3);
    EXPECT_FLOAT_EQ(x[0], 0.5f);
    EXPECT_FLOAT_EQ(x[1], 0.5f);
    EXPECT_EQ(x[2], 0.0f);
}

SDN_INSTANTIATE_FOR_VARIANTS(GroupNormPerVariant, ::sdn_test::kAllVariants);
SDN_INSTANTIATE_FOR_VARIANTS(LayerNormPerVariant, ::sdn_test::kAllVariants);
SDN_INSTANTIATE_FOR_VARIANTS(SoftmaxPerVariant, ::sdn_test::kAllVariants);

}  // namespace
