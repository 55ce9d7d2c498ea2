// The VAE decoder and encoder tile by themselves on the CPU when the backend's memory budget
// cannot hold an untiled pass: a capped CPU backend (the machine's own files left out, so the
// budget is exactly the cap) gives, with no tiling asked for, bit for bit the explicit tiled
// pass of the tile it chose; a roomy one gives the untiled result; a budget too small for any
// tile is a clear out-of-memory error naming the sizes. (A tiled result is not the untiled
// one: each tile's GroupNorms see only that tile, as in ComfyUI's tiled nodes.)
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>
#include <string>

#include "core/backend.h"
#include "core/error.h"
#include "cpu/cpu_backend.h"
#include "model/vae_model.h"
#include "vae_test_support.h"

using namespace sdn;
using namespace vae_test;

namespace {

// Context takes a plain function as its backend factory: the cap reaches it through here.
int64_t g_cap_bytes = 0;

std::unique_ptr<Backend> capped_cpu(Context& ctx) {
    cpu::CpuMemoryLimits limits;
    limits.cap_bytes = g_cap_bytes;
    limits.read = [](const std::string&) { return std::optional<std::string>(); };
    return cpu::make_capped_cpu_backend(ctx, std::move(limits));
}

std::unique_ptr<Context> cpu_context(int64_t cap_bytes) {
    g_cap_bytes = cap_bytes;
    return std::make_unique<Context>(2, sdn_test::float32_cpu_variant(), &capped_cpu);
}

struct VaeCpuBudgetTiling : ::testing::Test {
    void SetUp() override {
        TinyConfig config;
        config.mult = {1, 1, 1, 1};
        config.decoder_blocks = 1;
        add_tiny_vae(weights_, "", config);
        vae_ = Vae::load(weights_.lookup(), "");
        // Smooth across the image, as real latents are: a slow wave per channel.
        for (int64_t c = 0; c < 4; ++c)
            for (int64_t y = 0; y < h; ++y)
                for (int64_t x = 0; x < w; ++x)
                    z_.data()[(c * h + y) * w + x] =
                        0.5f * std::sin(0.3f * x + 0.2f * y + static_cast<float>(c));
        for (int64_t y = 0; y < H; ++y)
            for (int64_t x = 0; x < W; ++x)
                for (int64_t c = 0; c < 3; ++c)
                    image_.data()[(y * W + x) * 3 + c] =
                        0.5f + 0.4f * std::sin(0.05f * x + 0.07f * y + static_cast<float>(c));
    }
    static constexpr int64_t h = 12, w = 10, H = 96, W = 80;
    TinyWeights weights_{23};
    std::unique_ptr<Vae> vae_;
    Tensor z_{{1, 4, h, w}};
    Tensor image_{{1, H, W, 3}};
};

// Runs pass, which must fail with SDN_ERR_OUT_OF_MEMORY and a message holding every part.
void expect_refused(const std::function<void()>& pass, const std::vector<std::string>& parts) {
    try {
        pass();
        ADD_FAILURE() << "a pass ran under a 1000-byte budget";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_OUT_OF_MEMORY);
        for (const std::string& part : parts)
            EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
}

float largest_difference(const Tensor& a, const Tensor& b) {
    float d = 0;
    for (int64_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a.data()[i] - b.data()[i]));
    return d;
}

}  // namespace

TEST_F(VaeCpuBudgetTiling, ABudgetThatHoldsTheUntiledDecodeLeavesItUntiled) {
    auto roomy = cpu_context(vae_->decode_bytes(h, w));
    EXPECT_EQ(roomy->backend().memory_budget(), vae_->decode_bytes(h, w));
    EXPECT_FALSE(vae_->budget_tiling(*roomy, h, w).has_value());
    Context plain(2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend);
    // This machine's real budget holds a 12x10 latent many times over.
    EXPECT_FALSE(vae_->budget_tiling(plain, h, w).has_value());
    const Tensor a = vae_->decode(*roomy, z_), b = vae_->decode(plain, z_);
    ASSERT_EQ(a.shape(), b.shape());
    EXPECT_EQ(largest_difference(a, b), 0.0f);
}

TEST_F(VaeCpuBudgetTiling, ASmallBudgetDecodesInTheTilesThatFitIt) {
    const int64_t cap = vae_->decode_bytes(h, w) / 2;
    auto small = cpu_context(cap);
    const std::optional<VaeTiling> tiling = vae_->budget_tiling(*small, h, w);
    ASSERT_TRUE(tiling.has_value());
    EXPECT_LT(tiling->tile_size, h * vae_->downscale());
    EXPECT_EQ(tiling->overlap, VaeTiling{}.overlap);
    // The chosen tile is the largest that fits: its biggest tiling shape (t x t, 2t x t/2
    // and t/2 x 2t latent cells, clamped to the latent) fits; the next even size does not.
    const int64_t t = tiling->tile_size / vae_->downscale();
    auto biggest = [&](int64_t s) {
        return std::max({vae_->decode_bytes(std::min(s, h), std::min(s, w)),
                         vae_->decode_bytes(std::min(2 * s, h), std::min(s / 2, w)),
                         vae_->decode_bytes(std::min(s / 2, h), std::min(2 * s, w))});
    };
    EXPECT_LE(biggest(t), cap);
    EXPECT_GT(biggest(t + 2), cap);

    const Tensor automatic = vae_->decode(*small, z_);
    Context plain(2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend);
    const Tensor asked = vae_->decode(plain, z_, &*tiling);
    ASSERT_EQ(automatic.shape(), asked.shape());
    EXPECT_EQ(largest_difference(automatic, asked), 0.0f);
    // And it really tiled: the untiled image differs at the seams.
    EXPECT_GT(largest_difference(automatic, vae_->decode(plain, z_)), 1e-3f);
}

TEST_F(VaeCpuBudgetTiling, ABudgetBelowTheSmallestTileIsAnErrorNamingTheSizes) {
    auto tiny = cpu_context(1000);
    expect_refused([&] { vae_->decode(*tiny, z_); },
                   {"VAE decode: the memory budget of 1000 bytes on cpu is too small",
                    "the 12x10 latent", "smallest tile (16 pixels)"});
    expect_refused([&] { vae_->encode(*tiny, image_); },
                   {"VAE encode: the memory budget of 1000 bytes on cpu is too small",
                    "the 96x80 image", "smallest tile (16 pixels)"});
}

TEST_F(VaeCpuBudgetTiling, EncodeBytesAreTheHandCountedPeak) {
    // This VAE (32 channels at every level, one resnet per level, f = 8, z = 4) on an 8x8
    // image: the widest moment is the first resnet at full size, its 32-channel input and two
    // more 32-channel planes (96 x 64 values), above the first downsample's x, padded copy
    // and output (32 x (64 + 81 + 16)). With the 3 x 64 image and the two 8-channel 1x1
    // latents: (192 + 6144 + 16) floats, 4 bytes each, and an eighth more.
    EXPECT_EQ(vae_->encode_bytes(8, 8), (192 + 6144 + 16) * 4 * 9 / 8);
}

TEST_F(VaeCpuBudgetTiling, AnEncodeThatDoesNotFitTheBudgetRunsInTilesThatDo) {
    auto roomy = cpu_context(vae_->encode_bytes(H, W));
    EXPECT_FALSE(vae_->encode_budget_tiling(*roomy, H, W).has_value());

    auto small = cpu_context(vae_->encode_bytes(H, W) / 2);
    const std::optional<VaeTiling> tiling = vae_->encode_budget_tiling(*small, H, W);
    ASSERT_TRUE(tiling.has_value());
    EXPECT_LT(tiling->tile_size, H);
    EXPECT_EQ(tiling->tile_size % (2 * vae_->downscale()), 0);
    EXPECT_LE(tiling->overlap * 4, tiling->tile_size);
    const Tensor automatic = vae_->encode(*small, image_);
    Context plain(2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend);
    const Tensor asked = vae_->encode(plain, image_, &*tiling);
    ASSERT_EQ(automatic.shape(), asked.shape());
    EXPECT_EQ(largest_difference(automatic, asked), 0.0f);
    EXPECT_GT(largest_difference(automatic, vae_->encode(plain, image_)), 1e-3f);
    const Tensor whole = vae_->encode(*roomy, image_);
    EXPECT_EQ(largest_difference(whole, vae_->encode(plain, image_)), 0.0f);
}
