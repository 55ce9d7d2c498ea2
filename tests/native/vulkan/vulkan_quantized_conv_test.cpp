// Quantized conv weights kept as rows of C*kh*kw (a q8_0 conversion in the "flattened" conv
// layout, and ComfyUI-GGUF's flattened convs) on the Vulkan backend: the upload reads them as O rows of
// C*kh*kw, the rows conv2d's shader walks, so a UNet evaluation on lavapipe computes what the
// CPU's float32 variant computes from the same blocks (both expand q8_0 exactly). Bound as in
// vulkan_models_test.cpp: one float32 UNet evaluation agrees to about 1e-5.
#include <filesystem>

#include "io/model_file.h"
#include "sdnative.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "support/tiny_lora.h"
#include "vulkan_test_support.h"

using namespace sdn_test;

namespace {

std::vector<float> eval_file(sdn_context* ctx, const std::string& path) {
    sdn_model* model = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, path.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    if (!model) return {};
    std::vector<float> out = eval_tiny_unet(ctx, model);
    sdn_model_free(model);
    return out;
}

}  // namespace

TEST(VulkanQuantizedConv, Q8_0ConvRowsComputeAsOnTheCpu) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    device.reset();
    CpuAndVulkanContexts contexts;
    ASSERT_TRUE(contexts.ok());
    sdn_context *cpu = contexts.cpu, *vk = contexts.vk;
    TinyLoraFolder files(cpu);
    const std::string q8 = (files.dir() / "tiny_q8_0.gguf").string();
    ASSERT_EQ(sdn_convert_with_conv_layout(cpu, files.model().c_str(), q8.c_str(), "q8_0", nullptr, "flattened"), SDN_OK)
        << sdn_context_last_error(cpu);
    {
        const auto f = sdn::ModelFile::open(q8);
        const sdn::TensorEntry* conv = f->find("model.diffusion_model.input_blocks.1.0.in_layers.2.weight");
        ASSERT_NE(conv, nullptr);
        ASSERT_EQ(conv->ref.type, sdn::DType::Q8_0);
        ASSERT_EQ(conv->ref.shape.size(), 4u);
    }
    const std::vector<float> c = eval_file(cpu, q8), v = eval_file(vk, q8);
    ASSERT_EQ(v.size(), c.size());
    ASSERT_FALSE(c.empty());
    EXPECT_LT(relative_rms(v, c), 5e-5);
    // The conv layout matters: the f16 source computes measurably differently.
    EXPECT_GT(relative_rms(c, eval_file(cpu, files.model())), 1e-4);
}
