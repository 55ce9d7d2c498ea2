// Applying LoRAs to a network's weights: every weight a matched module adapts gets a private
// patched copy, W' = W + Σ strength_i · Δ_i (Δ from lora_delta.h) summed in f32 over every
// LoRA applied so far, in order, from the unpatched weight, and rounded once, as ComfyUI
// applies its stacked patches; it is stored in the weight's own type (f32, f16, bf16), or as
// f16 when the base is quantized (so the merge adds no quantization error). Every other weight
// stays the base's own. Several modules on one weight (the q/k/v thirds of a fused
// projection) add into one copy.
//
// Asked for (side_paths), on a quantized base a 2-D weight of the UNet's transformers that only
// plain low-rank modules adapt gets a side path instead (model/lora_side_path.h): the weight
// stays as stored and the factors are handed out beside it, which saves the copy's memory.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/context.h"
#include "model/lora_file.h"
#include "model/lora_keys.h"
#include "model/weight_lookup.h"

namespace sdn {

// The patched copies and side-path factors, by full tensor name; refs point into storage.
struct PatchedWeights {
    std::map<std::string, WeightRef> refs;
    std::vector<AlignedBuffer<uint8_t>> storage;
    size_t adapted = 0;  // weights given a copy or a side path
};

struct LoraApplication {
    std::shared_ptr<const LoraFile> lora;
    float strength = 1.0f;
};

// What a network handle computes with: the LoRAs applied, in order, and their patched copies.
struct AppliedLoras {
    std::vector<LoraApplication> stack;
    std::shared_ptr<const PatchedWeights> patched;
};

struct LoraPatchReport {
    std::vector<std::string> skipped;  // "stem: why" for matched modules of the last LoRA that did not fit
};

// Patches the weights `base` (the unpatched network) finds for every module of the stack
// whose stem `keys` maps. Modules keys does not map are left for the caller to report.
// side_paths: use side paths where allowed; only for a network that reads them (the UNet,
// model/unet_weights.h).
std::shared_ptr<PatchedWeights> patch_with_loras(Context& ctx,
                                                 const std::vector<LoraApplication>& stack,
                                                 const LoraKeyMap& keys, const WeightLookup& base,
                                                 bool side_paths, LoraPatchReport& report);

// A lookup that finds the patched copies first and everything else in base. It refers to
// *patched: keep that alive as long as the lookup and what it returns.
WeightLookup overlay_lookup(const PatchedWeights* patched, WeightLookup base);

}  // namespace sdn
