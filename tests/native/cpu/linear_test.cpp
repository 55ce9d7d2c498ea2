#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using sdn::DType;
using namespace sdn_test;

struct LinearCase {
    int64_t M, K, N;
};

// Awkward sizes: K not a multiple of the vector width or the K tile, N not a multiple of the
// panel width, M not a multiple of the register tile, a K longer than one tile, and an odd K
// over several K slices (the bf16 paths pack weight rows in pairs along K).
const LinearCase kCases[] = {{1, 1, 1},     {7, 33, 17},    {9, 64, 32},    {65, 300, 70},
                             {3, 1000, 41}, {130, 77, 300}, {301, 200, 20},  // several M tiles
                             {5, 1031, 37}};

class LinearPerVariant : public sdn_test::EveryVariant {};

TEST_P(LinearPerVariant, MatchesReferenceForEveryVariantAndStoredType) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (DType type : {DType::F32, DType::F16, DType::BF16}) {
        for (const auto& c : kCases) {
            SCOPED_TRACE(testing::Message() << dtype_label(type) << " M=" << c.M << " K=" << c.K << " N=" << c.N);
            auto x = random_vector(c.M * c.K, 1);
            auto w = make_weight(type, {c.N, c.K}, random_vector(c.N * c.K, 2));
            auto b = make_weight(type, {c.N}, random_vector(c.N, 3));
            std::vector<float> got(c.M * c.N), want(c.M * c.N);
            sdn::ops::linear(*ctx, x.data(), c.M, c.K, w.ref, &b.ref, got.data());
            const auto xp = product_operand(v, x);
            const auto wp = product_weight(v, w, stored_values(w));
            sdn::ref::linear(xp.data(), c.M, c.K, wp.ref, &b.ref, want.data());
            // f32 products with f32 accumulation: error grows like sqrt(K) * 2^-24.
            EXPECT_LT(normalized_error(got, want), 2e-6);
        }
    }
}

TEST_P(LinearPerVariant, AccumulateAddsToTheOutputAndNullBiasIsZero) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    const int64_t M = 11, K = 45, N = 37;
    auto x = random_vector(M * K, 4);
    auto w = make_weight(DType::F16, {N, K}, random_vector(N * K, 5));
    auto start = random_vector(M * N, 6);
    std::vector<float> got = start, want = start;
    sdn::ops::linear(*ctx, x.data(), M, K, w.ref, nullptr, got.data(), true);
    const auto xp = product_operand(v, x);
    const auto wp = product_weight(v, w, stored_values(w));
    sdn::ref::linear(xp.data(), M, K, wp.ref, nullptr, want.data(), true);
    EXPECT_LT(normalized_error(got, want), 2e-6);
}

TEST(Linear, SingleThreadAndPoolGiveTheSameResult) {
    const int64_t M = 200, K = 96, N = 300;
    auto x = random_vector(M * K, 7);
    auto w = make_weight(DType::BF16, {N, K}, random_vector(N * K, 8));
    auto one = variant_context(sdn::best_cpu_variant(), 1);
    auto three = variant_context(sdn::best_cpu_variant(), 3);
    std::vector<float> a(M * N), b(M * N);
    sdn::ops::linear(*one, x.data(), M, K, w.ref, nullptr, a.data());
    sdn::ops::linear(*three, x.data(), M, K, w.ref, nullptr, b.data());
    EXPECT_EQ(a, b);  // each output element is summed in the same order whatever the split
}

TEST(Linear, ReportsItsScratchToTheContext) {
    auto ctx = variant_context(sdn::best_cpu_variant());
    auto x = random_vector(64 * 96, 10);
    auto w = make_weight(DType::F16, {40, 96}, random_vector(40 * 96, 11));
    std::vector<float> y(64 * 40);
    EXPECT_EQ(ctx->peak_scratch_bytes(), 0);
    sdn::ops::linear(*ctx, x.data(), 64, 96, w.ref, nullptr, y.data());
    // At least one packed weight panel (96 x 40 floats) per thread.
    EXPECT_GE(ctx->peak_scratch_bytes(), 96 * 40 * 4);
}

TEST(Linear, RejectsAWeightOfTheWrongWidth) {
    auto ctx = variant_context(SDN_CPU_VARIANT_SCALAR, 1);
    auto w = make_weight(DType::F32, {4, 5}, random_vector(20, 9));
    std::vector<float> x(6), y(8);
    EXPECT_THROW(sdn::ops::linear(*ctx, x.data(), 2, 3, w.ref, nullptr, y.data()), sdn::Error);
}

SDN_INSTANTIATE_FOR_VARIANTS(LinearPerVariant, ::sdn_test::kAllVariants);

}  // namespace
