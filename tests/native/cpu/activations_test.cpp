#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using namespace sdn_test;

// Absolute error against the double reference, relative to max(1, |reference|): these
// functions pass through 0, where a purely relative measure means nothing.
double activation_error(const std::vector<float>& got, const std::vector<float>& want) {
    double worst = 0.0;
    for (size_t i = 0; i < want.size(); ++i) {
        if (!std::isfinite(got[i])) return INFINITY;
        worst = std::max(worst, std::abs(double(got[i]) - want[i]) / std::max(1.0, std::abs(double(want[i]))));
    }
    return worst;
}

class ActivationsPerVariant : public sdn_test::EveryVariant {};
class GegluPerVariant : public sdn_test::EveryVariant {};

TEST_P(ActivationsPerVariant, MatchReferenceOverAWideRange) {
    using Fast = void (*)(sdn::Context&, float*, int64_t);
    using Ref = void (*)(float*, int64_t);
    struct Fn { const char* name; Fast fast; Ref ref; };
    const Fn fns[] = {{"silu", sdn::ops::silu, sdn::ref::silu},
                      {"gelu_erf", sdn::ops::gelu_erf, sdn::ref::gelu_erf},
                      {"gelu_tanh", sdn::ops::gelu_tanh, sdn::ref::gelu_tanh},
                      {"quick_gelu", sdn::ops::quick_gelu, sdn::ref::quick_gelu}};
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (const auto& fn : fns)
        for (int64_t n : {int64_t(1), int64_t(31), int64_t(100003)}) {  // the long one is split over threads
            SCOPED_TRACE(testing::Message() << fn.name << " n=" << n);
            auto x = random_vector(n, 31, -20.0f, 20.0f);
            if (n > 3) x[0] = 0.0f, x[1] = -100.0f, x[2] = 100.0f;
            auto want = x;
            fn.fast(*ctx, x.data(), n);
            fn.ref(want.data(), n);
            EXPECT_LT(activation_error(x, want), 1e-6);
        }
}

TEST(Activations, HandValues) {
    auto ctx = variant_context(sdn::best_cpu_variant());
    // silu(0) = 0, silu(x) -> x for large x; gelu(0) = 0; quick_gelu(1) = 1/(1+e^-1.702).
    std::vector<float> x = {0.0f, 30.0f};
    sdn::ops::silu(*ctx, x.data(), 2);
    EXPECT_EQ(x[0], 0.0f);
    EXPECT_FLOAT_EQ(x[1], 30.0f);
    std::vector<float> q = {1.0f};
    sdn::ops::quick_gelu(*ctx, q.data(), 1);
    EXPECT_NEAR(q[0], 0.84579575f, 1e-6);
    std::vector<float> g = {1.0f};
    sdn::ops::gelu_erf(*ctx, g.data(), 1);
    EXPECT_NEAR(g[0], 0.84134475f, 1e-6);  // Phi(1) = 0.841344746
}

TEST(Activations, ReluAndTanhHandValues) {
    auto ctx = variant_context(sdn::best_cpu_variant());
    // Long enough (3 * 2^14 + 5) that the pool splits it; the pattern repeats every 5.
    const float in[5] = {-2.0f, -0.0f, 0.0f, 0.5f, 3.0f};
    const int64_t n = 3 * (1 << 14) + 5;
    std::vector<float> r(n), t(n);
    for (int64_t i = 0; i < n; ++i) r[i] = t[i] = in[i % 5];
    sdn::ops::relu(*ctx, r.data(), n);
    sdn::ops::tanh(*ctx, t.data(), n);
    const float relu_want[5] = {0.0f, -0.0f, 0.0f, 0.5f, 3.0f};
    // tanh(0.5) = 0.46211715726, tanh(3) = 0.99505475368, tanh(-2) = -0.96402758007
    const float tanh_want[5] = {-0.96402758f, -0.0f, 0.0f, 0.46211716f, 0.99505475f};
    for (int64_t i = 0; i < n; ++i) {
        ASSERT_EQ(r[i], relu_want[i % 5]) << i;
        ASSERT_NEAR(t[i], tanh_want[i % 5], 1e-7) << i;
    }
}

TEST_P(GegluPerVariant, MatchesReference) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (int64_t d : {1, 13, 40, 1280}) {
        SCOPED_TRACE(d);
        const int64_t rows = 7;
        auto x = random_vector(rows * 2 * d, 32, -6.0f, 6.0f);
        std::vector<float> got(rows * d), want(rows * d);
        sdn::ops::geglu(*ctx, x.data(), rows, d, got.data());
        sdn::ref::geglu(x.data(), rows, d, want.data());
        EXPECT_LT(activation_error(got, want), 4e-6);  // x * gelu(g) scales the gelu error by |x| <= 6
    }
}

SDN_INSTANTIATE_FOR_VARIANTS(ActivationsPerVariant, ::sdn_test::kAllVariants);
SDN_INSTANTIATE_FOR_VARIANTS(GegluPerVariant, ::sdn_test::kAllVariants);

}  // namespace
