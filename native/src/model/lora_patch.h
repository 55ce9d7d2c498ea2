// Applying LoRA modules to a network's weights: every weight a matched module adapts gets a
// private patched copy, W' = W + strength · Δ (Δ from lora_delta.h, computed in f32), stored
// in the weight's own type (f32, f16, bf16) or as f16 when the base is quantized (so the
// merge adds no quantization error); every other weight stays the base's own. Several modules
// on one weight (the q/k/v thirds of a fused projection) are summed into one copy.
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

// The patched copies, by full tensor name; refs point into storage.
struct PatchedWeights {
    std::map<std::string, WeightRef> refs;
    std::vector<AlignedBuffer<uint8_t>> storage;
};

struct LoraPatchReport {
    std::set<std::string> applied;       // module stems applied
    std::vector<std::string> skipped;    // "stem: why" for matched modules that did not fit
};

// Patches the weights `base` finds for every module of `lora` whose stem `keys` maps.
// Modules keys does not map are left for the caller to report.
std::shared_ptr<PatchedWeights> patch_with_lora(Context& ctx, const LoraFile& lora,
                                                const LoraKeyMap& keys, const WeightLookup& base,
                                                float strength, LoraPatchReport& report);

// A lookup that finds the patched copies first and everything else in base. It refers to
// *patched: keep that alive as long as the lookup and what it returns.
WeightLookup overlay_lookup(const PatchedWeights* patched, WeightLookup base);

}  // namespace sdn
