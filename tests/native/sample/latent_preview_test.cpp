// The cheap latent -> RGB preview (ComfyUI's SD15 latent_rgb_factors, and SDXL's with bias).
#include <gtest/gtest.h>

#include "sample/latent_preview.h"

namespace {

TEST(LatentPreview, AppliesSd15FactorsAndMapsMinusOneOneToBytes) {
    sdn::Tensor latent({1, 4, 1, 2});
    latent.data()[0] = 1.0f;  // pixel 0: channel 0 only
    latent.data()[3] = 1.0f;  // pixel 1: channel 1 only
    auto rgb = sdn::latent_to_rgb_preview(latent);
    ASSERT_EQ(rgb.size(), 6u);
    // byte = trunc((v + 1) / 2 * 255) with v = 0.3512, 0.2297, 0.3227 / 0.3250, 0.4974, 0.2350.
    EXPECT_EQ(rgb[0], 172);
    EXPECT_EQ(rgb[1], 156);
    EXPECT_EQ(rgb[2], 168);
    EXPECT_EQ(rgb[3], 168);
    EXPECT_EQ(rgb[4], 190);
    EXPECT_EQ(rgb[5], 157);
}

TEST(LatentPreview, AppliesSdxlFactorsWithTheirBias) {
    sdn::Tensor latent({1, 4, 1, 2});
    latent.data()[0] = 1.0f;  // pixel 0: channel 0 only; pixel 1: zeros, so the bias alone
    auto rgb = sdn::latent_to_rgb_preview(latent, 0, sdn::LatentFormat::Sdxl);
    ASSERT_EQ(rgb.size(), 6u);
    // v = 0.3651 + 0.1084, 0.4232 - 0.0175, 0.4341 - 0.0011; then 0.1084, -0.0175, -0.0011.
    EXPECT_EQ(rgb[0], 187);
    EXPECT_EQ(rgb[1], 179);
    EXPECT_EQ(rgb[2], 182);
    EXPECT_EQ(rgb[3], 141);
    EXPECT_EQ(rgb[4], 125);
    EXPECT_EQ(rgb[5], 127);
}

}  // namespace
