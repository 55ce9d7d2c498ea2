// The cheap latent -> RGB preview (ComfyUI's SD15 latent_rgb_factors, and SDXL's with bias),
// and the choice between it and the context's preview decoder.
#include <gtest/gtest.h>

#include <memory>

#include "core/error.h"
#include "cpu/cpu_backend.h"

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

// The cheap latent -> RGB preview (ComfyUI's SD15 latent_rgb_factors, and SDXL's with bias),
// and the choice between it and the context's preview decoder.
}

}  // namespace

