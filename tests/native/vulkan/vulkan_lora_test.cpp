// A LoRA-patched model on the Vulkan backend (lavapipe here): the patched copies and side-path
// factors are uploaded as weights of their own, so the patched handle computes what the CPU computes, and the base
// handle on the same device keeps computing the unpatched network before, between and after,
// also once either handle is gone. Bound as in vulkan_models_test.cpp: one UNet evaluation in
// float32 on both backends agrees to about 1e-5.
#include "sdnative.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "support/tiny_lora.h"
#include "vulkan_test_support.h"

using namespace sdn_test;

namespace {

struct Outputs {
    std::vector<float> base, patched, base_between, base_after, patched_alone;
};

Outputs run(sdn_context* ctx, TinyLoraFolder& files, bool side_path) {
    Outputs out;
    sdn_model* base = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, files.model().c_str(), nullptr, &base, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    out.base = eval_tiny_unet(ctx, base);
    sdn_lora_params_t p;
    sdn_lora_params_init(&p);
    p.strength_model = 0.8f;
    p.side_path = side_path;
    sdn_model* patched = nullptr;
    EXPECT_EQ(sdn_lora_apply(ctx, files.lora(1).c_str(), &p, base, nullptr, &patched, nullptr, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    out.patched = eval_tiny_unet(ctx, patched);
    out.base_between = eval_tiny_unet(ctx, base);
    sdn_model_free(base);  // the shared weights were made resident for the base handle
    out.patched_alone = eval_tiny_unet(ctx, patched);
    sdn_model_free(patched);
    EXPECT_EQ(sdn_checkpoint_load(ctx, files.model().c_str(), nullptr, &base, nullptr, nullptr), SDN_OK);
    out.base_after = eval_tiny_unet(ctx, base);
    sdn_model_free(base);
    return out;
}

}  // namespace

// f16: patched copies; q8_0 with side_path: side paths on the transformers' linears (and f16
// copies of the 1x1-conv projections).
class VulkanLora : public ::testing::TestWithParam<const char*> {};

TEST_P(VulkanLora, PatchedModelComputesAsOnTheCpuAndTheBaseStaysUnpatched) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    device.reset();
    CpuAndVulkanContexts contexts;
    ASSERT_TRUE(contexts.ok());
    sdn_context *cpu = contexts.cpu, *vk = contexts.vk;
    const std::string type = GetParam();
    TinyLoraFolder files(cpu, type.c_str());
    const bool side_path = type != "f16";
    const Outputs c = run(cpu, files, side_path), v = run(vk, files, side_path);
    ASSERT_EQ(v.patched.size(), c.patched.size());
    EXPECT_LT(relative_rms(v.base, c.base), 5e-5);
    EXPECT_LT(relative_rms(v.patched, c.patched), 5e-5);
    EXPECT_GT(relative_rms(v.patched, v.base), 1e-2) << "the LoRA made no difference on Vulkan";
    EXPECT_LT(relative_rms(v.base_between, v.base), 1e-6);
    EXPECT_LT(relative_rms(v.base_after, v.base), 1e-6);
    EXPECT_LT(relative_rms(v.patched_alone, v.patched), 1e-6);
}

INSTANTIATE_TEST_SUITE_P(WeightTypes, VulkanLora, ::testing::Values("f16", "q8_0"));
