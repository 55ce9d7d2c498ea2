// Recipes for the UNet and CLIP networks of a checkpoint.
#include "model/checkpoint_recipes.h"

#include "model/unet_model.h"

namespace sdn {

std::shared_ptr<const NetworkRecipe<DiffusionModel>> unet_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::string& prefix,
    const std::set<std::string>& names, int64_t num_heads, int64_t head_dim, sdn_arch arch,
    sdn_prediction prediction) {
    auto r = std::make_shared<NetworkRecipe<DiffusionModel>>();
    r->lookup = checkpoint->lookup();
    r->names = names;
    r->keepalive = std::const_pointer_cast<Checkpoint>(checkpoint);
    r->build = [prefix, num_heads, head_dim, arch, prediction](const WeightLookup& lookup,
                                                               std::shared_ptr<void> keepalive) {
        std::shared_ptr<UnetModel> unet =
            UnetModel::load(lookup, prefix, std::move(keepalive), num_heads, head_dim);
        unet->set_architecture(arch, prediction);
        return std::shared_ptr<DiffusionModel>(std::move(unet));
    };
    return r;
}

std::shared_ptr<const NetworkRecipe<ClipEncoder>> clip_recipe(
    std::shared_ptr<const Checkpoint> checkpoint, const std::vector<ClipTextSpec>& specs,
    const std::set<std::string>& names, std::shared_ptr<const ClipTokenizer> tokenizer) {
    return clip_recipe(checkpoint->lookup(), std::const_pointer_cast<Checkpoint>(checkpoint),
                       specs, names, std::move(tokenizer));
}

std::shared_ptr<const NetworkRecipe<ClipEncoder>> clip_recipe(
    WeightLookup lookup, std::shared_ptr<void> keepalive, const std::vector<ClipTextSpec>& specs,
    const std::set<std::string>& names, std::shared_ptr<const ClipTokenizer> tokenizer) {
    auto r = std::make_shared<NetworkRecipe<ClipEncoder>>();
    r->lookup = std::move(lookup);
    r->names = names;
    r->keepalive = std::move(keepalive);
    r->build = [specs, tokenizer](const WeightLookup& lookup, std::shared_ptr<void>) {
        std::vector<std::shared_ptr<const ClipTextModel>> models;
        for (const ClipTextSpec& spec : specs) models.push_back(std::make_shared<ClipTextModel>(lookup, spec));
        return std::make_shared<ClipEncoder>(tokenizer, std::move(models));
    };
    return r;
}

}  // namespace sdn
