// Padding and channel/token transposes on tiny hand-written tensors.
#include <gtest/gtest.h>

#include <vector>

#include "cpu/ops.h"

namespace {

using namespace sdn;

TEST(LayoutOps, PadZeroPlacesTheInputAtTheOffset) {
    Context ctx{2, SDN_CPU_VARIANT_SCALAR};
    // One 2x2 plane into 3x4 at (1, 2).
    const std::vector<float> x{1, 2, 3, 4};
    std::vector<float> y(12, -1.0f);
    ops::pad_zero(ctx, x.data(), 1, 1, 2, 2, 1, 2, y.data(), 3, 4);
    EXPECT_EQ(y, (std::vector<float>{0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 3, 4}));
}

TEST(LayoutOps, ChannelsToTokensAndBackWithResidual) {
    Context ctx{2, SDN_CPU_VARIANT_SCALAR};
    // [B=1, C=2, N=3] -> [1, 3, 2]
    const std::vector<float> x{1, 2, 3, 10, 20, 30};
    std::vector<float> t(6);
    ops::channels_to_tokens(ctx, x.data(), 1, 2, 3, t.data());
    EXPECT_EQ(t, (std::vector<float>{1, 10, 2, 20, 3, 30}));
    std::vector<float> back(6);
    ops::tokens_to_channels(ctx, t.data(), nullptr, 1, 2, 3, back.data());
    EXPECT_EQ(back, x);
    const std::vector<float> res{100, 100, 100, 200, 200, 200};
    ops::tokens_to_channels(ctx, t.data(), res.data(), 1, 2, 3, back.data());
    EXPECT_EQ(back, (std::vector<float>{101, 102, 103, 210, 220, 230}));
}

}  // namespace
