// Bilinear mask resizing (torch F.interpolate, align_corners=False).
#include <gtest/gtest.h>

#include <vector>

#include "sample/mask_resize.h"

namespace {

TEST(MaskResize, UpsamplesLikeTorchBilinear) {
    // torch: F.interpolate([[0,1],[2,3]], size=(4,4), mode="bilinear", align_corners=False)
    const float src[4] = {0, 1, 2, 3};
    sdn::Tensor out = sdn::resize_planes_bilinear(src, 1, 2, 2, 4, 4);
    const float want[16] = {0.0f, 0.25f, 0.75f, 1.0f, 0.5f, 0.75f, 1.25f, 1.5f,
                            1.5f, 1.75f, 2.25f, 2.5f, 2.0f, 2.25f, 2.75f, 3.0f};
    for (int i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(out.data()[i], want[i]) << i;
}

TEST(MaskResize, DownsamplesByTakingTheCentreTaps) {
    // 4 -> 2: source positions 0.5 and 2.5, the averages of neighbouring pairs.
    const float src[4] = {0, 2, 4, 8};
    sdn::Tensor out = sdn::resize_planes_bilinear(src, 1, 1, 4, 1, 2);
    EXPECT_FLOAT_EQ(out.data()[0], 1.0f);
    EXPECT_FLOAT_EQ(out.data()[1], 6.0f);
}

TEST(MaskResize, AcceptsTwoThreeAndFourDimensionalMasks) {
    sdn::Tensor m2({16, 16}), m4({2, 1, 16, 16});
    EXPECT_EQ(sdn::mask_to_latent_size(m2, 8, 8).shape(), (std::vector<int64_t>{1, 8, 8}));
    EXPECT_EQ(sdn::mask_to_latent_size(m4, 8, 8).shape(), (std::vector<int64_t>{2, 8, 8}));
    sdn::Tensor bad({2, 3, 16, 16});
    EXPECT_THROW(sdn::mask_to_latent_size(bad, 8, 8), sdn::Error);
}

}  // namespace
