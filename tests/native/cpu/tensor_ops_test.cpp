#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using namespace sdn_test;

class TensorOpsPerVariant : public sdn_test::EveryVariant {};

TEST_P(TensorOpsPerVariant, AddAndMulBroadcastAndAlias) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (auto [outer, inner] : {std::pair<int64_t, int64_t>{1, 5}, {3, 7}, {600, 129}, {1, 70001}}) {
        for (int64_t b_outer : {int64_t(1), outer}) {
            SCOPED_TRACE(testing::Message() << outer << "x" << inner << " b_outer=" << b_outer);
            auto a = random_vector(outer * inner, 41);
            auto b = random_vector(b_outer * inner, 42);
            std::vector<float> want(a.size());
            sdn::ref::add(a.data(), b.data(), outer, inner, b_outer, want.data());
            auto y = a;
            sdn::ops::add(*ctx, y.data(), b.data(), outer, inner, b_outer, y.data());  // aliased
            EXPECT_EQ(y, want);
            sdn::ref::mul(a.data(), b.data(), outer, inner, b_outer, want.data());
            std::vector<float> z(a.size());
            sdn::ops::mul(*ctx, a.data(), b.data(), outer, inner, b_outer, z.data());
            EXPECT_EQ(z, want);
        }
    }
}

TEST(TensorOps, ChannelBiasUpsampleConcat) {
    auto ctx = variant_context(sdn::best_cpu_variant());
    const int64_t B = 2, C = 3, H = 5, W = 3;
    auto x = random_vector(B * C * H * W, 43);
    auto bias = random_vector(B * C, 44);
    auto got = x, want = x;
    sdn::ops::add_channel_bias(*ctx, got.data(), bias.data(), B, C, H * W);
    sdn::ref::add_channel_bias(want.data(), bias.data(), B, C, H * W);
    EXPECT_EQ(got, want);

    std::vector<float> up(B * C * 4 * H * W), up_want(up.size());
    sdn::ops::upsample_nearest2x(*ctx, x.data(), B, C, H, W, up.data());
    sdn::ref::upsample_nearest2x(x.data(), B, C, H, W, up_want.data());
    EXPECT_EQ(up, up_want);
    // Hand check: output (1, 1) of plane 0 comes from input (0, 0).
    EXPECT_EQ(up[1 * 2 * W + 1], x[0]);

    auto other = random_vector(B * 2 * H * W, 45);
    std::vector<float> cat((B * (C + 2)) * H * W), cat_want(cat.size());
    sdn::ops::concat_channels(*ctx, x.data(), C, other.data(), 2, B, H * W, cat.data());
    sdn::ref::concat_channels(x.data(), C, other.data(), 2, B, H * W, cat_want.data());
    EXPECT_EQ(cat, cat_want);
    EXPECT_EQ(cat[(1 * (C + 2) + C) * H * W], other[2 * H * W]);  // batch 1, first channel of b
}

TEST(TimestepEmbedding, HandValuesAndReference) {
    // dim 4: half 2, freqs exp(-ln(10000) * i / 2) = {1, 0.01}; out = [cos t, cos .01t, sin t, sin .01t].
    std::vector<float> t = {0.0f, 1.0f}, out(8);
    sdn::ops::timestep_embedding(t.data(), 2, 4, out.data());
    const float expect0[4] = {1, 1, 0, 0};
    const float expect1[4] = {0.54030231f, 0.99995000f, 0.84147098f, 0.00999983f};
    for (int i = 0; i < 4; ++i) {
        EXPECT_NEAR(out[i], expect0[i], 1e-7);
        EXPECT_NEAR(out[4 + i], expect1[i], 1e-6);
    }
    std::vector<float> ts = {1.0f, 999.0f, 500.5f}, got(3 * 320), want(3 * 320);
    sdn::ops::timestep_embedding(ts.data(), 3, 320, got.data());
    sdn::ref::timestep_embedding(ts.data(), 3, 320, want.data());
    // float32 frequencies times t ~ 1000 lose ~1e-4 absolute in the argument, as torch does.
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 2e-4) << i;
}

SDN_INSTANTIATE_FOR_VARIANTS(TensorOpsPerVariant, ::sdn_test::kAllVariants);

}  // namespace
