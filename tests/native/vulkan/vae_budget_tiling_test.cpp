// The VAE sizes its tiles from the Vulkan device's memory budget: on a simulated small GPU an
// untiled decode runs out of memory, and decode() without a tiling picks a tile that fits by
// itself and gives the tiled decode of that tile size, as the CPU computes it. (A tiled image
// is not the untiled one: each tile's GroupNorms see only that tile, as in ComfyUI's tiled
// decode; on this random tiny VAE the two differ by about 0.1 on average.) Small shapes:
// lavapipe is slow.
#include <cmath>

#include "core/backend.h"
#include "cpu/cpu_backend.h"
#include "model/test_model_writer.h"
#include "model/unet_test_weights.h"
#include "model/vae_model.h"
#include "support/float32_variant.h"
#include "vulkan/vulkan_backend.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

namespace {

// Vulkan against the CPU on the same tiled decode: both compute in float32 and differ only in
// summation order, which the VulkanModels test bounds by 5e-5 for a decoded image.
constexpr float kVulkanToCpuBound = 5e-5f;

// Context takes a plain function as its backend factory: the budget reaches it through here.
uint64_t g_budget_bytes = 0;

std::unique_ptr<Backend> budgeted_vulkan(Context& ctx) {
    vk::DeviceOptions o;
    o.memory_budget_bytes = g_budget_bytes;
    return vk::make_vulkan_backend(o, [&ctx] { return ctx.cancel_requested(); });
}

std::unique_ptr<Context> vulkan_context(uint64_t budget_bytes) {
    g_budget_bytes = budget_bytes;
    auto ctx = std::make_unique<Context>(1, float32_cpu_variant(), &budgeted_vulkan);
    EXPECT_TRUE(ctx->has_backend());
    return ctx;
}

// Only the VAE, as narrow as GroupNorm's 32 groups allow and with one upsample (factor 2):
// lavapipe computes slowly.
unet_test::InMemoryWeights tiny_vae() {
    TestModelSpec spec;
    spec.with_unet = spec.with_clip = false;
    spec.vae_ch_mult = {1, 1};
    return unet_test::InMemoryWeights(make_test_model_tensors(spec, 11));
}

Tensor latent(int64_t h, int64_t w) {
    // Smooth across the image, as real latents are: a slow wave per channel.
    Tensor z({1, 4, h, w});
    for (int64_t c = 0; c < 4; ++c)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x)
                z.data()[(c * h + y) * w + x] = 0.5f * std::sin(0.3f * x + 0.2f * y + static_cast<float>(c));
    return z;
}

}  // namespace

TEST(VaeBudgetTiling, ASmallGpuDecodesInTilesThatFitItsBudget) {
    std::string why;
    auto probe = open_or_why(why, [] { return std::make_unique<vk::VulkanDevice>(); });
    SDN_SKIP_WITHOUT_VULKAN(probe, why)
    probe.reset();

    const unet_test::InMemoryWeights mem = tiny_vae();
    auto vae = Vae::load(mem.lookup(), "first_stage_model.");
    const int64_t h = 12, w = 12;
    const Tensor z = latent(h, w);

    // The whole device: no tiling.
    auto roomy = vulkan_context(0);
    EXPECT_FALSE(vae->budget_tiling(*roomy, h, w).has_value());
    roomy.reset();

    // The weights' share of a budget, then a device with room for them and half of what an
    // untiled decode needs.
    const int64_t probe_budget = 64 << 20;
    auto measured = vulkan_context(probe_budget);
    EXPECT_FALSE(vae->budget_tiling(*measured, h, w).has_value());
    const int64_t weights = probe_budget - measured->backend().memory_budget();
    measured.reset();
    auto small = vulkan_context(static_cast<uint64_t>(weights + vae->decode_bytes(h, w) / 2));

    const std::optional<VaeTiling> tiling = vae->budget_tiling(*small, h, w);
    ASSERT_TRUE(tiling.has_value());
    EXPECT_LT(tiling->tile_size, h * vae->downscale());
    EXPECT_EQ(tiling->overlap, VaeTiling{}.overlap);
    const Tensor automatic = vae->decode(*small, z);
    // What the tiled decode left behind is freed: the same tile is chosen again.
    ASSERT_EQ(vae->budget_tiling(*small, h, w)->tile_size, tiling->tile_size);
    const Tensor asked = vae->decode(*small, z, &*tiling);
    for (int64_t i = 0; i < automatic.size(); ++i)
        ASSERT_EQ(automatic.data()[i], asked.data()[i]) << i;
    Context cpu(1, float32_cpu_variant(), &cpu::make_cpu_backend);
    const Tensor reference = vae->decode(cpu, z, &*tiling);
    ASSERT_EQ(automatic.shape(), reference.shape());
    for (int64_t i = 0; i < automatic.size(); ++i)
        ASSERT_NEAR(automatic.data()[i], reference.data()[i], kVulkanToCpuBound) << i;
    // The budget is real: the untiled network does not fit it.
    try {
        vae::ProgressTicker progress(*small, SDN_STAGE_VAE_DECODE, 100);
        vae->decode_raw(*small, z, progress);
        FAIL() << "an untiled decode fitted the small budget";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_OUT_OF_MEMORY) << e.what();
    }
}

TEST(VaeBudgetTiling, DecodeBytesGrowWithTheLatentArea) {
    const unet_test::InMemoryWeights mem = tiny_vae();
    auto vae = Vae::load(mem.lookup(), "first_stage_model.");
    // Every activation is a whole number of planes, so the count is linear in the area.
    EXPECT_NEAR(static_cast<double>(vae->decode_bytes(16, 16)), 4.0 * static_cast<double>(vae->decode_bytes(8, 8)), 8.0);
    // Hand count for this VAE (32 channels at both levels, z = 4, f = 2) at 1x1: the widest
    // moment is a ResnetBlock at full resolution (2x2), holding its input and two more
    // 32-channel planes, 96 * 4 values; the upsample holds 9 * 32 and norm_out 2 * 32 * 4.
    // With the 2 * 4 latent values and the 3 * 4 image values: (384 + 8 + 12) floats, 4 bytes
    // each, and an eighth more.
    EXPECT_EQ(vae->decode_bytes(1, 1), (384 + 8 + 12) * 4 * 9 / 8);
}
