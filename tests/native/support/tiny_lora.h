// Tiny LoRA fixtures for the LoRA tests: the tiny test checkpoint and LoRAs written through
// the C API into a temporary folder, a fixed UNet evaluation, and the merged weights worked
// out in double precision from the files' bytes (the reference the engine's patched copies
// are checked against).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/model_file.h"
#include "sdnative.h"

namespace sdn_test {

// A temporary folder holding the tiny model (seed 5; tiny_model.safetensors in f16, or
// tiny_model.gguf with weights of model_type) and lora_<seed>.safetensors.
class TinyLoraFolder {
public:
    explicit TinyLoraFolder(sdn_context* ctx, const char* model_type = "f16");
    ~TinyLoraFolder();
    const std::string& model() const { return model_; }
    // The sdn_make_test_lora file for seed (written on first use).
    std::string lora(uint64_t seed);
    std::filesystem::path dir() const { return dir_; }

private:
    sdn_context* ctx_;
    std::filesystem::path dir_;
    std::string model_;
};

// One UNet evaluation at fixed inputs (x [1, 4, 8, 8], t 500, context [1, 77, 64]).
std::vector<float> eval_tiny_unet(sdn_context* ctx, sdn_model* model);

// The values of every tensor of a file, in double.
std::map<std::string, std::vector<double>> file_values(const std::string& path);

// W + Σ strength_i · (alpha/rank) · up·down for each (lora file, strength) in order, in
// double, for the weight that module `stem` of each file adapts. kohya (lora_up/lora_down,
// with LoCon's lora_mid) and PEFT (lora_B/lora_A) names. Weights no module adapts come back
// unchanged.
std::vector<double> merged_reference(const std::vector<double>& base,
                                     const std::vector<std::pair<std::map<std::string, std::vector<double>>*, double>>& loras,
                                     const std::string& stem, int64_t rows);

}  // namespace sdn_test
