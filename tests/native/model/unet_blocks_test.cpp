// Each UNet block (resnet with time embedding, spatial transformer, downsample, upsample)
// against the double-precision reference of unet_reference.h on tiny random weights.
#include "support/float32_variant.h"
#include "model/unet_blocks.h"

#include <gtest/gtest.h>

#include "cpu/cpu_backend.h"
#include "core/cpu_features.h"

#include "unet_reference.h"
#include "unet_test_weights.h"

namespace {

using namespace sdn;

struct BlockFixture : ::testing::Test {
    Context ctx{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    unet_test::InMemoryWeights mem{make_test_model_tensors(TestModelSpec{}, 7)};
    unet_ref::Weights ref{mem.tensors()};
    unet::WeightBinder binder{mem.lookup(), "model.diffusion_model."};
    unet::UnetWeights w = unet::bind_unet_weights(binder, 8, 0);
    unet::Workspace ws{ctx.backend(), "test scratch"};
};

void expect_close(const std::vector<float>& got, const unet_ref::Vec& want, double tol) {
    ASSERT_EQ(got.size(), want.size());
    double max_err = 0, max_ref = 0;
    for (size_t i = 0; i < got.size(); ++i) {
        ASSERT_TRUE(std::isfinite(got[i])) << "at " << i;
        max_err = std::max(max_err, std::fabs(got[i] - want[i]));
        max_ref = std::max(max_ref, std::fabs(want[i]));
    }
    EXPECT_LE(max_err, tol * std::max(1.0, max_ref)) << "max |ref| " << max_ref;
}

DeviceTensor on_backend(Context& ctx, const std::vector<float>& v, std::vector<int64_t> shape) {
    DeviceTensor t = ctx.backend().tensor(shape, "test input");
    ctx.backend().upload(t, v.data());
    return t;
}

std::vector<float> on_host(Context& ctx, const DeviceTensor& t) {
    std::vector<float> v(static_cast<size_t>(t.elements()));
    ctx.backend().download(t, v.data());
    return v;
}

unet_ref::Vec to_double(const std::vector<float>& v) { return unet_ref::Vec(v.begin(), v.end()); }

TEST_F(BlockFixture, BindsTheTinyLayoutFromShapes) {
    EXPECT_EQ(w.config.model_channels, 32);
    EXPECT_EQ(w.config.time_embed_dim, 128);
    EXPECT_EQ(w.config.context_dim, 64);
    EXPECT_EQ(w.input_blocks.size(), 4u);
    EXPECT_EQ(w.output_blocks.size(), 4u);
    EXPECT_TRUE(w.input_blocks[1].has_attn);
    EXPECT_TRUE(w.input_blocks[2].has_down);
    EXPECT_FALSE(w.input_blocks[3].has_attn);
    EXPECT_TRUE(w.output_blocks[1].has_up);
    EXPECT_TRUE(w.output_blocks[2].has_attn);
    EXPECT_EQ(w.input_blocks[1].attn.blocks[0].self_attn.heads, 8);
    EXPECT_EQ(w.input_blocks[1].attn.blocks[0].self_attn.head_dim, 4);
}

TEST_F(BlockFixture, ResBlockWithWidthChangeMatchesReference) {
    // input_blocks.3.0: 32 -> 64 channels with a 1x1 skip conv.
    const int64_t B = 2, C = 32, H = 3, W = 5, E = w.config.time_embed_dim;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 1);
    const auto emb = unet_test::random_values(static_cast<size_t>(B * E), 2);
    std::vector<float> emb_silu(emb);
    for (float& e : emb_silu) e = e / (1.0f + std::exp(-e));
    const unet::ResBlock& r = w.input_blocks[3].res;
    ASSERT_TRUE(r.has_skip);
    const DeviceTensor yd = ctx.backend().tensor({B, 64, H, W}, "test output");
    unet::resblock_forward(ctx, r, w.config, on_backend(ctx, x, {B, C, H, W}),
                           on_backend(ctx, emb_silu, {B, E}), yd, ws);
    const std::vector<float> y = on_host(ctx, yd);
    int64_t O;
    const auto want = unet_ref::resblock(ref, "model.diffusion_model.input_blocks.3.0",
                                         to_double(x), B, C, H, W, to_double(emb), &O);
    EXPECT_EQ(O, 64);
    expect_close(y, want, 2e-4);
}

TEST_F(BlockFixture, ResBlockWithIdentitySkipMatchesReference) {
    const int64_t B = 1, C = 64, H = 4, W = 4, E = w.config.time_embed_dim;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 3);
    const auto emb = unet_test::random_values(static_cast<size_t>(B * E), 4);
    std::vector<float> emb_silu(emb);
    for (float& e : emb_silu) e = e / (1.0f + std::exp(-e));
    const unet::ResBlock& r = w.middle.res;
    ASSERT_FALSE(r.has_skip);
    const DeviceTensor yd = ctx.backend().tensor({B, C, H, W}, "test output");
    unet::resblock_forward(ctx, r, w.config, on_backend(ctx, x, {B, C, H, W}),
                           on_backend(ctx, emb_silu, {B, E}), yd, ws);
    const std::vector<float> y = on_host(ctx, yd);
    int64_t O;
    expect_close(y, unet_ref::resblock(ref, "model.diffusion_model.middle_block.0", to_double(x),
                                       B, C, H, W, to_double(emb), &O),
                 2e-4);
}

TEST_F(BlockFixture, SpatialTransformerMatchesReference) {
    const int64_t B = 2, C = 32, H = 3, W = 4, T = 5;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 5);
    const auto context = unet_test::random_values(static_cast<size_t>(B * T * 64), 6);
    const DeviceTensor yd = ctx.backend().tensor({B, C, H, W}, "test output");
    unet::transformer_forward(ctx, w.input_blocks[1].attn, w.config,
                              on_backend(ctx, x, {B, C, H, W}),
                              on_backend(ctx, context, {B, T, 64}), yd, ws);
    const std::vector<float> y = on_host(ctx, yd);
    expect_close(y, unet_ref::transformer(ref, "model.diffusion_model.input_blocks.1.1",
                                          to_double(x), B, C, H * W, to_double(context), T, 8),
                 2e-4);
}

TEST_F(BlockFixture, DownsampleOfOddSizeMatchesReference) {
    const int64_t B = 2, C = 32, H = 5, W = 7;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 8);
    const DeviceTensor yd = ctx.backend().tensor({B, C, 3, 4}, "test output");
    unet::downsample_forward(ctx, w.input_blocks[2].down, on_backend(ctx, x, {B, C, H, W}), yd);
    const std::vector<float> y = on_host(ctx, yd);
    int64_t Ho, Wo;
    const auto want = unet_ref::conv2d(ref, "model.diffusion_model.input_blocks.2.0.op",
                                       to_double(x), B, C, H, W, 2, 1, &Ho, &Wo);
    EXPECT_EQ(Ho, 3);
    EXPECT_EQ(Wo, 4);
    expect_close(y, want, 1e-4);
}

TEST_F(BlockFixture, UpsampleTwiceAndToAnOddSkipSizeMatchReference) {
    const int64_t B = 1, C = 64, H = 3, W = 2;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 9);
    const std::string n = "model.diffusion_model.output_blocks.1.1.conv";
    for (auto [Ho, Wo] : {std::pair<int64_t, int64_t>{6, 4}, {5, 3}}) {
        const DeviceTensor yd = ctx.backend().tensor({B, C, Ho, Wo}, "test output");
        unet::upsample_forward(ctx, w.output_blocks[1].up, on_backend(ctx, x, {B, C, H, W}), yd,
                               ws);
        const std::vector<float> y = on_host(ctx, yd);
        const auto up = unet_ref::upsample_nearest(to_double(x), B, C, H, W, Ho, Wo);
        expect_close(y, unet_ref::conv2d(ref, n, up, B, C, Ho, Wo, 1, 1, nullptr, nullptr), 1e-4);
    }
}

}  // namespace
