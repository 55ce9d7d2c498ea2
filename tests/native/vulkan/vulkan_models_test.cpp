// The SD models run unchanged on the Vulkan backend: a tiny SD1-shaped checkpoint (the one
// the model tests use) through CLIP, a 4-step KSampler run of the UNet and the VAE decoder,
// on Vulkan and on the CPU, compared.
//
// Error bound: both backends compute in float32 from the same weights; they differ only in
// summation order (16-wide K tiles on Vulkan, SIMD lanes on the CPU), in exp/erf/tanh to
// about 1e-7 relative, and in the attention's online softmax. Each op therefore agrees to
// ~1e-6 of its output's scale; normalizations keep that from growing, and a few dozen ops in
// sequence (CLIP, a UNet evaluation, the VAE) stay near 1e-5. Four sampler steps feed each
// UNet output back as input, so the sampled latent gets 1e-4 and every other output 5e-5.
// The tiny SDXL checkpoint adds OpenCLIP bigG (fused in_proj read through column views, GELU)
// and the UNet's ADM vector, linear projections and 64-channel heads, under the same bounds.
#include "core/backend.h"
#include "cpu/cpu_backend.h"
#include "model/arch_detect.h"
#include "model/clip_text_model.h"
#include "model/test_model_writer.h"
#include "model/unet_model.h"
#include "model/unet_test_weights.h"
#include "model/vae_model.h"
#include "sample/ksampler.h"
#include "support/float32_variant.h"
#include "vulkan/vulkan_backend.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

namespace {

// KSampler: 4 euler steps, seed 7, cfg 5, from an empty 8x8 latent.
Tensor sample_four_steps(Context& ctx, DiffusionModel& model, const std::vector<Conditioning>& pos,
                         const std::vector<Conditioning>& neg) {
    KSamplerParams p;
    p.steps = 4;
    p.seed = 7;
    p.cfg = 5.0;
    Tensor empty({1, 4, 8, 8});
    LatentInput in;
    in.samples = &empty;
    return ksample(ctx, model, p, pos, neg, in);
}

struct Runs {
    ClipTextModel::Output text;
    Tensor latent;
    Tensor image;
};

Runs generate(Context& ctx, const unet_test::InMemoryWeights& mem) {
    Runs r;
    ClipTextModel clip(mem.lookup());
    // Two prompts: start token, a few words, then end tokens as padding.
    std::vector<int32_t> ids(2 * 77, 49407);
    ids[0] = ids[77] = 49406;
    for (int i = 1; i < 6; ++i) ids[i] = 320 + 17 * i, ids[77 + i] = 1000 + 91 * i;
    r.text = clip.forward(ctx, ids, 2, 77, -1, 49407);

    Tensor positive({1, 77, r.text.hidden.dim(2)}), negative({1, 77, r.text.hidden.dim(2)});
    const int64_t row = 77 * r.text.hidden.dim(2);
    std::copy(r.text.hidden.data(), r.text.hidden.data() + row, positive.data());
    std::copy(r.text.hidden.data() + row, r.text.hidden.data() + 2 * row, negative.data());
    auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    std::vector<Conditioning> pos(1), neg(1);
    pos[0].tokens = &positive;
    neg[0].tokens = &negative;
    r.latent = sample_four_steps(ctx, *unet, pos, neg);

    auto vae = Vae::load(mem.lookup(), "first_stage_model.");
    r.image = vae->decode(ctx, r.latent);
    return r;
}

std::vector<float> values(const Tensor& t) {
    return std::vector<float>(t.data(), t.data() + t.size());
}

// bigG's text output, then a 4-step KSampler run of the SDXL UNet whose positive carries
// bigG's pooled output and a 1024x768 size (the negative's ADM vector takes the latent's).
Runs generate_sdxl(Context& ctx, const unet_test::InMemoryWeights& mem) {
    Runs r;
    std::vector<std::string> names;
    for (const TestTensor& t : mem.tensors()) names.push_back(t.name);
    const ArchDetection d = detect_architecture(names, mem.lookup());
    ClipTextModel big_g(mem.lookup(), d.clip_specs.at(1));
    std::vector<int32_t> ids(77, 0);
    ids[0] = 49406, ids[1] = 320, ids[2] = 1125, ids[3] = 49407;
    r.text = big_g.forward(ctx, ids, 1, 77, 0, 49407);

    const int64_t width = d.unet.context_dim;
    Tensor positive({1, 77, width}), negative({1, 77, width});
    for (int64_t i = 0; i < positive.size(); ++i)
        positive.data()[i] = 0.01f * static_cast<float>(i % 97), negative.data()[i] = -0.02f * static_cast<float>(i % 89);
    auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr, 0, 64);
    unet->set_architecture(d.arch, d.prediction);
    std::vector<Conditioning> pos(1), neg(1);
    pos[0].tokens = &positive;
    pos[0].pooled = &r.text.pooled;
    pos[0].has_size = true;
    pos[0].width = pos[0].target_width = 1024, pos[0].height = pos[0].target_height = 768;
    neg[0].tokens = &negative;
    r.latent = sample_four_steps(ctx, *unet, pos, neg);
    return r;
}

}  // namespace

TEST(VulkanModels, TinyCheckpointGeneratesTheSameOnVulkanAsOnTheCpu) {
    std::string why;
    auto probe = open_or_why(why, [] { return std::make_unique<vk::VulkanDevice>(); });
    SDN_SKIP_WITHOUT_VULKAN(probe, why)
    probe.reset();

    const unet_test::InMemoryWeights mem(make_test_model_tensors(TestModelSpec{}, 5));
    Context cpu_ctx(2, float32_cpu_variant(), &cpu::make_cpu_backend);
    ASSERT_TRUE(cpu_ctx.has_backend());
    Context vk_ctx(1, float32_cpu_variant(), &vk::make_vulkan_backend_for);
    ASSERT_EQ(vk_ctx.backend().name().rfind("vulkan:", 0), 0u) << vk_ctx.backend().name();

    const Runs cpu = generate(cpu_ctx, mem);
    const Runs gpu = generate(vk_ctx, mem);
    EXPECT_LT(normalized_error(values(gpu.text.hidden), values(cpu.text.hidden)), 5e-5);
    EXPECT_LT(normalized_error(values(gpu.text.pooled), values(cpu.text.pooled)), 5e-5);
    EXPECT_LT(normalized_error(values(gpu.latent), values(cpu.latent)), 1e-4);
    EXPECT_LT(normalized_error(values(gpu.image), values(cpu.image)), 5e-5);
    std::printf("[ models   ] clip %.2e, latent %.2e, image %.2e\n",
                normalized_error(values(gpu.text.hidden), values(cpu.text.hidden)),
                normalized_error(values(gpu.latent), values(cpu.latent)),
                normalized_error(values(gpu.image), values(cpu.image)));
}

TEST(VulkanModels, TinySdxlRunsTheSameOnVulkanAsOnTheCpu) {
    std::string why;
    auto probe = open_or_why(why, [] { return std::make_unique<vk::VulkanDevice>(); });
    SDN_SKIP_WITHOUT_VULKAN(probe, why)
    probe.reset();

    const unet_test::InMemoryWeights mem(make_test_model_tensors(tiny_sdxl_spec(), 5));
    Context cpu_ctx(2, float32_cpu_variant(), &cpu::make_cpu_backend);
    Context vk_ctx(1, float32_cpu_variant(), &vk::make_vulkan_backend_for);
    ASSERT_EQ(vk_ctx.backend().name().rfind("vulkan:", 0), 0u) << vk_ctx.backend().name();
    const Runs cpu = generate_sdxl(cpu_ctx, mem);
    const Runs gpu = generate_sdxl(vk_ctx, mem);
    EXPECT_LT(normalized_error(values(gpu.text.hidden), values(cpu.text.hidden)), 5e-5);
    EXPECT_LT(normalized_error(values(gpu.text.pooled), values(cpu.text.pooled)), 5e-5);
    EXPECT_LT(normalized_error(values(gpu.latent), values(cpu.latent)), 1e-4);
}

namespace {
// Cancels the context once the UNet reports its third block.
void cancel_at_third_block(const sdn_progress_t* p, void* user) {
    if (p->stage == SDN_STAGE_UNET && p->step == 3) static_cast<Context*>(user)->cancel();
}
}  // namespace

TEST(VulkanModels, CancellingMidUnetStopsCleanlyAndTheNextRunIsWhole) {
    std::string why;
    auto probe = open_or_why(why, [] { return std::make_unique<vk::VulkanDevice>(); });
    SDN_SKIP_WITHOUT_VULKAN(probe, why)
    probe.reset();

    const unet_test::InMemoryWeights mem(make_test_model_tensors(TestModelSpec{}, 5));
    auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    Tensor x({1, 4, 8, 8}), cond({1, 7, 64});
    for (int64_t i = 0; i < x.size(); ++i) x.data()[i] = 0.01f * static_cast<float>(i % 13);
    for (int64_t i = 0; i < cond.size(); ++i) cond.data()[i] = 0.02f * static_cast<float>(i % 5);

    Context reference_ctx(1, float32_cpu_variant(), &vk::make_vulkan_backend_for);
    Tensor want;
    unet->predict_eps(reference_ctx, x, {400.0f}, cond, want);

    Context ctx(1, float32_cpu_variant(), &vk::make_vulkan_backend_for);
    ctx.set_progress_callback(&cancel_at_third_block, &ctx);
    Tensor eps;
    try {
        unet->predict_eps(ctx, x, {400.0f}, cond, eps);
        FAIL() << "the UNet finished although it was cancelled at its third block";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_CANCELLED) << e.what();
    }
    ctx.set_progress_callback(nullptr, nullptr);
    ctx.reset_cancel();
    unet->predict_eps(ctx, x, {400.0f}, cond, eps);
    EXPECT_EQ(values(eps), values(want));
}
