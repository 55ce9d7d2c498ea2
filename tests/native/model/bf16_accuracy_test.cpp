// The bfloat16 variants (avx512-amx, the default on AMX machines; avx512-bf16, the default on
// AVX512-BF16 machines without AMX) round the operands of every product to bfloat16. Their UNet
// blocks, a whole tiny-UNet evaluation, a tiny VAE decode and a tiny CLIP text encoding must
// stay within the error that rounding allows (support/bf16_error_bound.h) of the float32
// variant on the same inputs. Each variant is skipped, saying why, on CPUs without it.
#include <gtest/gtest.h>

#include <cmath>

#include "core/cpu_features.h"
#include "cpu/cpu_backend.h"
#include "model/clip_text_model.h"
#include "model/unet_blocks.h"
#include "model/unet_model.h"
#include "model/vae_model.h"
#include "support/backend_tensors.h"
#include "support/bf16_error_bound.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "tiny_unet_eval.h"
#include "unet_test_weights.h"

namespace {

using namespace sdn;

struct Bf16Accuracy : ::testing::TestWithParam<sdn_cpu_variant> {
    void SetUp() override {
        if (!cpu_variant_supported(GetParam()))
            GTEST_SKIP() << "this CPU (" << cpu_info().name << ") lacks " << cpu_variant_name(GetParam())
                         << ", so that bfloat16 variant cannot run here";
    }
    Context f32{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    Context bf16{2, GetParam(), &cpu::make_cpu_backend};
    unet_test::InMemoryWeights mem{make_test_model_tensors(TestModelSpec{}, 7)};
    unet::WeightBinder binder{mem.lookup(), "model.diffusion_model."};
    unet::UnetWeights w = unet::bind_unet_weights(binder, 8, 0);
    unet::Workspace ws_f32{f32.backend(), "test scratch"};
    unet::Workspace ws_bf16{bf16.backend(), "test scratch"};
};

// A host vector as a tensor of the given shape on the context's backend.
DeviceTensor upload(Context& ctx, const std::vector<float>& v, std::vector<int64_t> shape) {
    Tensor host(shape);
    std::copy(v.begin(), v.end(), host.data());
    return sdn_test::on_backend(ctx, host);
}

std::vector<float> download(Context& ctx, const DeviceTensor& t) {
    const Tensor host = sdn_test::on_host(ctx, t);
    return std::vector<float>(host.data(), host.data() + host.size());
}

std::vector<float> silu(std::vector<float> v) {
    for (float& e : v) e = e / (1.0f + std::exp(-e));
    return v;
}

TEST_P(Bf16Accuracy, ResBlockStaysWithinFourRoundedProducts) {
    // input_blocks.3.0: in conv, time-embedding linear, out conv and the 1x1 skip conv.
    const int64_t B = 2, C = 32, O = 64, H = 6, W = 5;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 1);
    const auto emb = silu(unet_test::random_values(static_cast<size_t>(B * w.config.time_embed_dim), 2));
    const unet::ResBlock& r = w.input_blocks[3].res;
    const int64_t E = w.config.time_embed_dim;
    const DeviceTensor want_d = f32.backend().tensor({B, O, H, W}, "test output");
    const DeviceTensor got_d = bf16.backend().tensor({B, O, H, W}, "test output");
    unet::resblock_forward(f32, r, w.config, upload(f32, x, {B, C, H, W}), upload(f32, emb, {B, E}), want_d, ws_f32);
    unet::resblock_forward(bf16, r, w.config, upload(bf16, x, {B, C, H, W}), upload(bf16, emb, {B, E}), got_d, ws_bf16);
    const std::vector<float> want = download(f32, want_d), got = download(bf16, got_d);
    const double error = sdn_test::relative_rms(got, want);
    std::printf("resblock: relative RMS error %.3g, bound %.3g\n", error, sdn_test::bf16_chain_bound(4));
    EXPECT_GT(error, 0.0) << "identical to float32: were the operands rounded at all?";
    EXPECT_LE(error, sdn_test::bf16_chain_bound(4));
}

TEST_P(Bf16Accuracy, SpatialTransformerStaysWithinItsRoundedProducts) {
    const int64_t B = 2, C = 32, H = 4, W = 5, T = 7;
    const auto x = unet_test::random_values(static_cast<size_t>(B * C * H * W), 5);
    const auto context = unet_test::random_values(static_cast<size_t>(B * T * 64), 6);
    const auto& block = w.input_blocks[1].attn;
    const DeviceTensor want_d = f32.backend().tensor({B, C, H, W}, "test output");
    const DeviceTensor got_d = bf16.backend().tensor({B, C, H, W}, "test output");
    unet::transformer_forward(f32, block, w.config, upload(f32, x, {B, C, H, W}), upload(f32, context, {B, T, 64}), want_d, ws_f32);
    unet::transformer_forward(bf16, block, w.config, upload(bf16, x, {B, C, H, W}), upload(bf16, context, {B, T, 64}), got_d, ws_bf16);
    const std::vector<float> want = download(f32, want_d), got = download(bf16, got_d);
    const double bound = sdn_test::bf16_chain_bound(sdn_test::transformer_products(2));
    const double error = sdn_test::relative_rms(got, want);
    std::printf("transformer: relative RMS error %.3g, bound %.3g\n", error, bound);
    EXPECT_GT(error, 0.0);
    EXPECT_LE(error, bound);
}

TEST_P(Bf16Accuracy, WholeTinyUnetEvaluationStaysWithinTheDeepBound) {
    const auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    const std::vector<float> a = unet_test::tiny_unet_eps(*unet, bf16), b = unet_test::tiny_unet_eps(*unet, f32);
    ASSERT_EQ(a.size(), b.size());
    const int products = sdn_test::unet_products(mem.tensors());
    const double error = sdn_test::relative_rms(a, b);
    std::printf("tiny UNet (%d products): relative RMS error %.3g, bound %.3g\n", products, error,
                sdn_test::bf16_deep_bound(products));
    EXPECT_GT(error, 0.0);
    EXPECT_LE(error, sdn_test::bf16_deep_bound(products));
}

TEST_P(Bf16Accuracy, TinyVaeDecodeStaysWithinTheDeepBound) {
    // The decoder's products: its convs (post_quant_conv included) and its attention's q, k, v,
    // proj_out, plus Q K^T, the rounded softmax weights and P V.
    int products = 0;
    for (const auto& t : mem.tensors()) {
        const bool decoder = t.name.rfind("first_stage_model.decoder.", 0) == 0 ||
                             t.name.rfind("first_stage_model.post_quant_conv.", 0) == 0;
        if (!decoder || t.shape.size() < 2) continue;
        products += t.name.find(".attn_1.q.weight") != std::string::npos ? 4 : 1;
    }
    const auto vae = Vae::load(mem.lookup(), "first_stage_model.");
    Tensor latent({1, 4, 6, 5});
    const auto z = unet_test::random_values(static_cast<size_t>(latent.size()), 31);
    std::copy(z.begin(), z.end(), latent.data());
    const Tensor want = vae->decode(f32, latent), got = vae->decode(bf16, latent);
    ASSERT_EQ(got.shape(), want.shape());
    const std::vector<float> a(got.data(), got.data() + got.size()), b(want.data(), want.data() + want.size());
    const double error = sdn_test::relative_rms(a, b);
    std::printf("tiny VAE decode (%d products): relative RMS error %.3g, bound %.3g\n", products, error,
                sdn_test::bf16_deep_bound(products));
    EXPECT_GT(error, 0.0);
    EXPECT_LE(error, sdn_test::bf16_deep_bound(products));
}

TEST_P(Bf16Accuracy, TinyClipEncodingStaysWithinTheDeepBound) {
    // Per layer: q, k, v, out, two MLP linears, plus Q K^T, the rounded softmax weights and P V.
    const ClipTextModel clip(mem.lookup());
    const int products = static_cast<int>(clip.layers()) * 9;
    std::vector<int32_t> ids(77, 49407);
    const int32_t prompt[] = {49406, 320, 1125, 539, 518, 7440, 49407};
    std::copy(std::begin(prompt), std::end(prompt), ids.begin());
    const auto want = clip.forward(f32, ids, 1, 77, -1, 49407), got = clip.forward(bf16, ids, 1, 77, -1, 49407);
    const std::vector<float> a(got.hidden.data(), got.hidden.data() + got.hidden.size()),
        b(want.hidden.data(), want.hidden.data() + want.hidden.size());
    const double error = sdn_test::relative_rms(a, b);
    std::printf("tiny CLIP (%d products): relative RMS error %.3g, bound %.3g\n", products, error,
                sdn_test::bf16_deep_bound(products));
    EXPECT_GT(error, 0.0);
    EXPECT_LE(error, sdn_test::bf16_deep_bound(products));
}

INSTANTIATE_TEST_SUITE_P(Cpu, Bf16Accuracy, ::testing::Values(SDN_CPU_VARIANT_AVX512_AMX, SDN_CPU_VARIANT_AVX512_BF16),
                         [](const ::testing::TestParamInfo<sdn_cpu_variant>& info) {
                             return info.param == SDN_CPU_VARIANT_AVX512_AMX ? "avx512_amx" : "avx512_bf16";
                         });

}  // namespace
