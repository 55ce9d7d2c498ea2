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

// The SD1.x UNet under prefix, reading `names`, built as UnetModel::load builds it.
std::shared_ptr<const NetworkRecipe<DiffusionModel>> unet_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::string& prefix,
    const std::set<std::string>& names, int64_t num_heads = 8, int64_t head_dim = 0);

// The CLIP text model under prefix with its tokenizer.
std::shared_ptr<const NetworkRecipe<ClipEncoder>> clip_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::string& prefix,
    const std::set<std::string>& names, std::shared_ptr<const ClipTokenizer> tokenizer);

}  // namespace sdn
