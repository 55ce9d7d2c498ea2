// TAESD runs unchanged on the Vulkan backend: the decoder (the previews' network) and the
// encoder of VAELoader's TAESD VAE, on Vulkan and on the CPU from the same random weights.
//
// Error bound: float32 on both, differing in summation order only; about 30 convolutions in
// sequence with ReLUs (no normalization) keep the difference near 1e-5 of the output's scale.
#include "cpu/cpu_backend.h"
#include "model/taesd_decoder.h"
#include "model/taesd_encoder.h"
#include "model/taesd_test_writer.h"
#include "model/unet_test_weights.h"
#include "support/float32_variant.h"
#include "vulkan/vulkan_backend.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

namespace {

Tensor pattern(std::vector<int64_t> shape, float amplitude, float offset) {
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.size(); ++i) t.data()[i] = offset + amplitude * std::sin(0.61f * float(i));
    return t;
}

std::vector<float> values(const Tensor& t) { return std::vector<float>(t.data(), t.data() + t.size()); }

TEST(TaesdVulkan, DecoderAndEncoderGiveTheCpusResults) {
    std::string why;
    auto probe = open_or_why(why, [] { return std::make_unique<vk::VulkanDevice>(); });
    SDN_SKIP_WITHOUT_VULKAN(probe, why)
    probe.reset();

    const unet_test::InMemoryWeights dec_weights(make_test_taesd_tensors(16, 4, 7));
    const unet_test::InMemoryWeights enc_weights(make_test_taesd_encoder_tensors(16, 4, 8));
    const auto decoder = TaesdDecoder::load(dec_weights.lookup(), "", nullptr);
    const auto encoder = TaesdEncoder::load(enc_weights.lookup(), "", nullptr);
    Context cpu_ctx(2, float32_cpu_variant(), &cpu::make_cpu_backend);
    Context vk_ctx(1, float32_cpu_variant(), &vk::make_vulkan_backend_for);
    ASSERT_EQ(vk_ctx.backend().name().rfind("vulkan:", 0), 0u) << vk_ctx.backend().name();

    const Tensor latent = pattern({1, 4, 5, 6}, 4.0f, 0.0f);
    const Tensor image = pattern({1, 3, 24, 16}, 0.45f, 0.5f);
    EXPECT_LT(normalized_error(values(decoder->forward(vk_ctx, latent)), values(decoder->forward(cpu_ctx, latent))), 5e-5);
    EXPECT_LT(normalized_error(values(encoder->forward(vk_ctx, image)), values(encoder->forward(cpu_ctx, image))), 5e-5);
}

}  // namespace
