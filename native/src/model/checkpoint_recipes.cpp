// Recipes for the UNet and CLIP networks of a checkpoint.
#include "model/checkpoint_recipes.h"

#include "model/unet_model.h"

namespace sdn {

std::shared_ptr<const NetworkRecipe<DiffusionModel>> unet_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::string& prefix,
    const std::set<std::string>& names, int64_t num_heads, int64_t head_dim) {
    auto r = std::make_shared<NetworkRecipe<DiffusionModel>>();
    r->lookup = checkpoint->lookup();
    r->names = names;
    r->keepalive = std::const_pointer_cast<Checkpoint>(checkpoint);
    r->build = [prefix, num_heads, head_dim](const WeightLookup& lookup,
                                             std::shared_ptr<void> keepalive) {
        return std::shared_ptr<DiffusionModel>(
            UnetModel::load(lookup, prefix, std::move(keepalive), num_heads, head_dim));
    };
    return r;
}

std::shared_ptr<const NetworkRecipe<ClipEncoder>> clip_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::string& prefix,
    const std::set<std::string>& names, std::shared_ptr<const ClipTokenizer> tokenizer) {
    auto r = std::make_shared<NetworkRecipe<ClipEncoder>>();
    r->lookup = checkpoint->lookup();
    r->names = names;
    r->keepalive = std::const_pointer_cast<Checkpoint>(checkpoint);
    r->build = [prefix, tokenizer](const WeightLookup& lookup, std::shared_ptr<void>) {
        return std::make_shared<ClipEncoder>(tokenizer, std::make_shared<ClipTextModel>(lookup, prefix));
    };
    return r;
}

}  // namespace sdn
