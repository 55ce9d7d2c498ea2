// torch's AVX2 float32 exp, log and sincos: within an ulp or two of the true values over
// their ranges, and torch's own float where that is not the correctly rounded one (the
// torchsde vectors: dpmpp_sde's step-2 sub-step sigma of the karras schedule). That they
// give torch's bits everywhere is checked through randn by the Brownian-tree vector tests,
// whose every node draws a randn.
#include "sample/torch_avx2_math.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace {

uint32_t bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}

// |got - exact| in units of the float spacing at the exact value.
double ulps(float got, double exact) {
    const float nearest = static_cast<float>(exact);
    const double spacing = std::nextafter(std::fabs(nearest), std::numeric_limits<float>::infinity()) -
                           std::fabs(nearest);
    return std::fabs(got - exact) / spacing;
}

TEST(TorchAvx2Math, ExpIsWithinOneUlp) {
    for (int i = -8000; i <= 8000; ++i) {
        const float x = static_cast<float>(i) * 0.01093f;
        ASSERT_LE(ulps(sdn::torch_avx2_exp(x), std::exp(static_cast<double>(x))), 1.0) << x;
    }
    EXPECT_EQ(sdn::torch_avx2_exp(0.0f), 1.0f);
    EXPECT_EQ(sdn::torch_avx2_exp(-200.0f), 0.0f);
    EXPECT_EQ(sdn::torch_avx2_exp(200.0f), std::numeric_limits<float>::infinity());
}

TEST(TorchAvx2Math, ExpGivesTorchsFloatWhereItIsNotCorrectlyRounded) {
    // exp(0.218145132...) = 1.24376756507...: the nearest float is 0x3f9f33c7, torch's AVX2
    // kernel returns 0x3f9f33c6 (the sigma_next of that query in the vectors file).
    const float x = 0.21814513206481934f;
    EXPECT_EQ(bits(sdn::torch_avx2_exp(x)), 0x3f9f33c6u);
    EXPECT_EQ(bits(static_cast<float>(std::exp(static_cast<double>(x)))), 0x3f9f33c7u);
}

TEST(TorchAvx2Math, LogIsWithinTwoUlpsOnTheUnitInterval) {
    // Every uniform randn can feed it: k / 2^24 for k = 1 .. 2^24 (sampled), and 1.
    for (uint32_t k = 1; k <= (1u << 24); k += 997) {
        const float x = static_cast<float>(k) * (1.0f / 16777216.0f);
        const double exact = std::log(static_cast<double>(x));
        if (exact == 0.0) continue;
        ASSERT_LE(ulps(sdn::torch_avx2_log(x), exact), 2.0) << x;
    }
    EXPECT_EQ(sdn::torch_avx2_log(1.0f), 0.0f);
    EXPECT_NEAR(sdn::torch_avx2_log(1.0f / 16777216.0f), -24.0 * std::log(2.0), 2e-6);
    EXPECT_TRUE(std::isnan(sdn::torch_avx2_log(0.0f)));
}

TEST(TorchAvx2Math, SincosIsWithinAFewUlpsOverAFullTurn) {
    const float two_pi = static_cast<float>(2.0 * 3.14159265358979323846);
    for (int i = 0; i <= 20000; ++i) {
        const float x = two_pi * static_cast<float>(i) / 20000.0f;
        float s, c;
        sdn::torch_avx2_sincos(x, s, c);
        // Near the zeros the relative error of a float result is meaningless: bound it absolutely.
        ASSERT_NEAR(s, std::sin(static_cast<double>(x)), 2.5e-7) << x;
        ASSERT_NEAR(c, std::cos(static_cast<double>(x)), 2.5e-7) << x;
    }
    float s, c;
    sdn::torch_avx2_sincos(0.0f, s, c);
    EXPECT_EQ(s, 0.0f);
    EXPECT_EQ(c, 1.0f);
    sdn::torch_avx2_sincos(-1.0f, s, c);  // sine is odd, cosine even
    float s1, c1;
    sdn::torch_avx2_sincos(1.0f, s1, c1);
    EXPECT_EQ(s, -s1);
    EXPECT_EQ(c, c1);
}

}  // namespace
