// torch's AVX2 float32 exp: within an ulp of the true value everywhere, and on the one
// reference input where it is not the correctly rounded float, torch's float (from the
// torchsde vectors: dpmpp_sde's step-2 sub-step sigma of the karras schedule).
#include "sample/torch_float_exp.h"

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

TEST(TorchFloatExp, IsWithinOneUlpOfTheTrueValue) {
    for (int i = -8000; i <= 8000; ++i) {
        const float x = static_cast<float>(i) * 0.01093f;
        const double exact = std::exp(static_cast<double>(x));
        const float got = sdn::torch_exp_f32(x);
        const double ulp = std::nextafter(static_cast<float>(exact), std::numeric_limits<float>::infinity()) -
                           static_cast<float>(exact);
        ASSERT_LE(std::fabs(got - exact), ulp) << x;
    }
    EXPECT_EQ(sdn::torch_exp_f32(0.0f), 1.0f);
    EXPECT_EQ(sdn::torch_exp_f32(-200.0f), 0.0f);
    EXPECT_EQ(sdn::torch_exp_f32(200.0f), std::numeric_limits<float>::infinity());
}

TEST(TorchFloatExp, GivesTorchsFloatWhereItIsNotCorrectlyRounded) {
    // exp(0.218145132...) = 1.24376756507...: the nearest float is 0x3f9f33c7, torch's AVX2
    // kernel returns 0x3f9f33c6 (the sigma_next of that query in the vectors file).
    const float x = 0.21814513206481934f;
    EXPECT_EQ(bits(sdn::torch_exp_f32(x)), 0x3f9f33c6u);
    EXPECT_EQ(bits(static_cast<float>(std::exp(static_cast<double>(x)))), 0x3f9f33c7u);
}

}  // namespace
