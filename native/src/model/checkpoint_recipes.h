// Recipes (model/network_recipe.h) for the networks a checkpoint loader builds, so that a
// LoRA can build them again over patched weights. A loader of another architecture adds its
// own recipe beside these.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "core/diffusion_model.h"
#include "model/checkpoint.h"
#include "model/clip_encoder.h"
#include "model/network_recipe.h"

namespace sdn {

// The UNet under prefix (any architecture UnetModel loads), reading `names`, built as the
// checkpoint loader builds it: UnetModel::load with the architecture's heads, then its
// architecture and prediction type set.
std::shared_ptr<const NetworkRecipe<DiffusionModel>> unet_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::string& prefix,
    const std::set<std::string>& names, int64_t num_heads = 8, int64_t head_dim = 0,
    sdn_arch arch = SDN_ARCH_SD1, sdn_prediction prediction = SDN_PREDICTION_EPS);

// The text encoder(s) the specs describe (one for SD1.x/SD2.x, CLIP-L and bigG for SDXL)
// with their tokenizer.
std::shared_ptr<const NetworkRecipe<ClipEncoder>> clip_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::vector<ClipTextSpec>& specs,
    const std::set<std::string>& names, std::shared_ptr<const ClipTokenizer> tokenizer);

// The same over any lookup (text encoders joined from several files); keepalive owns what
// the lookup's weights point into.
std::shared_ptr<const NetworkRecipe<ClipEncoder>> clip_recipe(
    WeightLookup lookup, std::shared_ptr<void> keepalive, const std::vector<ClipTextSpec>& specs,
    const std::set<std::string>& names, std::shared_ptr<const ClipTokenizer> tokenizer);

}  // namespace sdn
