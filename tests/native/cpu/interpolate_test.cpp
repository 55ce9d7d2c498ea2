// interpolate against values worked out by hand from torch's documented index rules
// (align_corners=False): nearest src = floor(dst * in/out); nearest-exact
// src = floor((dst + 0.5) * in/out); linear src = max(0, (dst + 0.5) * in/out - 0.5);
// cubic the same without the clamp, Keys weights with A = -0.75 and clamped taps; area =
// adaptive average pooling over [floor(dst*in/out), ceil((dst+1)*in/out)).
#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using sdn::ops::Interp;
using namespace sdn_test;

std::vector<float> run_row(const std::vector<float>& row, int64_t Wo, Interp mode) {
    auto ctx = variant_context(sdn::best_cpu_variant(), 1);
    std::vector<float> y(Wo);
    // H = 1 -> Ho = 1 is the identity along H for every mode, so this tests the W axis alone.
    sdn::ops::interpolate(*ctx, row.data(), 1, 1, 1, static_cast<int64_t>(row.size()), y.data(), 1, Wo, mode);
    return y;
}

void expect_values(const std::vector<float>& got, const std::vector<float>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << "index " << i;
}

TEST(Interpolate, NearestUpAndDown) {
    const std::vector<float> x = {1, 2, 4, 8};
    expect_values(run_row(x, 8, Interp::Nearest), {1, 1, 2, 2, 4, 4, 8, 8});
    // 4 -> 3, scale 4/3: floor(0, 1.33, 2.67) = 0, 1, 2.
    expect_values(run_row(x, 3, Interp::Nearest), {1, 2, 4});
}

TEST(Interpolate, NearestExactDiffersFromLegacyNearest) {
    const std::vector<float> x = {1, 2, 4, 8};
    // floor(0.67, 2.0, 3.33) = 0, 2, 3.
    expect_values(run_row(x, 3, Interp::NearestExact), {1, 4, 8});
    expect_values(run_row(x, 8, Interp::NearestExact), {1, 1, 2, 2, 4, 4, 8, 8});
}

TEST(Interpolate, BilinearClampsAtTheBorders) {
    // 4 -> 8: src = -0.25 (clamped to 0), 0.25, 0.75, ..., 3.25 (right tap clamped to 3).
    expect_values(run_row({0, 1, 2, 3}, 8, Interp::Bilinear), {0, 0.25f, 0.75f, 1.25f, 1.75f, 2.25f, 2.75f, 3});
}

TEST(Interpolate, Bilinear2dByHand) {
    // [[0, 1], [2, 3]] -> 3x3: per axis src = 0 (clamped), 0.5, 1.1667 (both taps 1).
    auto ctx = variant_context(sdn::best_cpu_variant(), 1);
    std::vector<float> x = {0, 1, 2, 3}, y(9);
    sdn::ops::interpolate(*ctx, x.data(), 1, 1, 2, 2, y.data(), 3, 3, Interp::Bilinear);
    expect_values(y, {0, 0.5f, 1, 1, 1.5f, 2, 2, 2.5f, 3});
}

TEST(Interpolate, BicubicKeysWeightsWithClampedTaps) {
    // x = [1, 2, 4, 8], 4 -> 8. At f = 0.75 the weights for taps -1..2 are
    // (-0.03515625, 0.26171875, 0.87890625, -0.10546875); at f = 0.25 the same reversed.
    //   dst 0: src -0.25, taps (0,0,0,1) at f .75 -> 1.10546875*1 - 0.10546875*2 = 0.89453125
    //   dst 1: src  0.25, taps (0,0,1,2) at f .25 -> 0.7734375*1 + 0.26171875*2 - 0.03515625*4 = 1.15625
    //   dst 2: src  0.75, taps (0,0,1,2) at f .75 -> 0.2265625*1 + 0.87890625*2 - 0.10546875*4 = 1.5625
    //   dst 7: src  3.25, taps (2,3,3,3) at f .25 -> -0.10546875*4 + 1.10546875*8 = 8.421875
    auto y = run_row({1, 2, 4, 8}, 8, Interp::Bicubic);
    EXPECT_NEAR(y[0], 0.89453125f, 1e-6);
    EXPECT_NEAR(y[1], 1.15625f, 1e-6);
    EXPECT_NEAR(y[2], 1.5625f, 1e-6);
    EXPECT_NEAR(y[7], 8.421875f, 1e-6);
}

TEST(Interpolate, AreaIsAdaptiveAveragePooling) {
    const std::vector<float> x = {1, 2, 4, 8};
    // 4 -> 3 windows [0,2), [1,3), [2,4); 4 -> 2 windows [0,2), [2,4).
    expect_values(run_row(x, 3, Interp::Area), {1.5f, 3, 6});
    expect_values(run_row(x, 2, Interp::Area), {1.5f, 6});
    expect_values(run_row(x, 1, Interp::Area), {3.75f});
}

class InterpolatePerVariant : public sdn_test::EveryVariant {};

TEST_P(InterpolatePerVariant, EveryModeMatchesReferenceOnRandomPlanes) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (Interp mode : {Interp::Nearest, Interp::NearestExact, Interp::Bilinear, Interp::Bicubic, Interp::Area})
        for (auto [Ho, Wo] : {std::pair<int64_t, int64_t>{13, 7}, {3, 2}, {26, 17}, {1, 1}}) {
            SCOPED_TRACE(testing::Message() << int(mode) << " -> " << Ho << "x" << Wo);
            const int64_t B = 2, C = 3, H = 9, W = 11;
            auto x = random_vector(B * C * H * W, 51);
            std::vector<float> got(B * C * Ho * Wo), want(got.size());
            sdn::ops::interpolate(*ctx, x.data(), B, C, H, W, got.data(), Ho, Wo, mode);
            sdn::ref::interpolate(x.data(), B, C, H, W, want.data(), Ho, Wo, mode);
            EXPECT_LT(normalized_error(got, want), 4e-6);  // float taps vs double; cubic weights go negative
        }
}

SDN_INSTANTIATE_FOR_VARIANTS(InterpolatePerVariant, ::sdn_test::kAllVariants);

}  // namespace
