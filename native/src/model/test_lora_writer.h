// Tiny random LoRAs for the tiny SD1 and SDXL test checkpoints (test_model_writer.h): modules
// for every attention layer of the UNet (each transformer block where a level has several) and
// every CLIP layer (SDXL: lora_te1_ for CLIP-L, lora_te2_ for bigG, whose q/k/v are thirds of
// its fused in_proj), optionally LoCon modules on the resnets' 3x3 convs, named the way kohya
// or PEFT files name them. The module list is written by walking the model spec block by
// block, as the diffusers layout numbers them, not through the engine's LoRA key mapping, so
// tests can check that mapping against it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/test_model_writer.h"

namespace sdn {

enum class TestLoraNaming { Kohya, Peft };

struct TestLoraSpec {
    int64_t rank = 4;
    float alpha = 2.0f;  // written as each module's `alpha`; 0 = no alpha tensors
    bool unet = true, clip = true;
    // LoCon on each resnet: conv1 as down [r, in, 1, 1] + lora_mid [r, r, 3, 3] + up, conv2
    // as a 3x3 down [r, in, 3, 3] + up. Kohya naming only.
    bool locon = false;
    TestLoraNaming naming = TestLoraNaming::Kohya;
    // Standard deviation of the update (alpha/rank)·up·down relative to the base weights'.
    float relative_size = 0.5f;
};

struct TestLoraModule {
    std::string stem;    // as in the file ("lora_unet_down_blocks_0_attentions_0_proj_in")
    std::string target;  // the checkpoint tensor it adapts (full name, ".weight")
    int part = 0, parts = 1;  // SDXL bigG's q/k/v: one third (part of 3) of the fused in_proj
};

// The LoRA's tensors (deterministic in seed) and, in *modules, what each module adapts.
std::vector<TestTensor> make_test_lora_tensors(const TestModelSpec& model, const TestLoraSpec& spec,
                                               uint64_t seed,
                                               std::vector<TestLoraModule>* modules = nullptr);

}  // namespace sdn
