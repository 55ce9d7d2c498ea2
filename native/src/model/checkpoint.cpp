// Opening checkpoints and accounting for every tensor in them.
#include "model/checkpoint.h"

#include "model/tensor_names.h"

namespace sdn {

std::shared_ptr<Checkpoint> Checkpoint::open(const std::string& path) {
    auto ck = std::shared_ptr<Checkpoint>(new Checkpoint());
    ck->file_ = ModelFile::open(path);
    ck->detection_ = detect_architecture(ck->names(), ck->lookup());
    return ck;
}

std::vector<std::string> Checkpoint::names() const {
    std::vector<std::string> out;
    out.reserve(file_->tensors().size());
    for (const TensorEntry& e : file_->tensors()) out.push_back(e.name);
    return out;
}

WeightLookup Checkpoint::lookup() const {
    const ModelFile* f = file_.get();
    return [f](const std::string& name) -> const WeightRef* {
        const TensorEntry* e = f->find(name);
        return e ? &e->ref : nullptr;
    };
}

WeightLookup Checkpoint::recording_lookup(std::set<std::string>* used) const {
    const ModelFile* f = file_.get();
    return [f, used](const std::string& name) -> const WeightRef* {
        used->insert(name);
        const TensorEntry* e = f->find(name);
        return e ? &e->ref : nullptr;
    };
}

std::vector<std::string> Checkpoint::unexpected_tensors(const std::set<std::string>& used,
                                                        bool unet, bool clip, bool vae) const {
    std::vector<std::string> out;
    for (const TensorEntry& e : file_->tensors()) {
        if (is_ignored_tensor(e.name) || used.count(e.name)) continue;
        // A bare VAE file (encoder.* / decoder.*) has no prefix to recognise it by.
        const bool bare_vae = detection_.has_vae && detection_.vae_prefix.empty() &&
                              (e.name.rfind("encoder.", 0) == 0 || e.name.rfind("decoder.", 0) == 0 ||
                               e.name.rfind("quant_conv.", 0) == 0 ||
                               e.name.rfind("post_quant_conv.", 0) == 0);
        switch (component_of(e.name, detection_.unet_prefix)) {
            case CheckpointComponent::Unet:
                if (unet) out.push_back(e.name);
                break;
            case CheckpointComponent::Clip:
                if (clip) out.push_back(e.name);
                break;
            case CheckpointComponent::Vae:
                if (vae) out.push_back(e.name);
                break;
            case CheckpointComponent::Other:
                if (bare_vae ? vae : true) out.push_back(e.name);
                break;
        }
    }
    return out;
}

size_t warn_unexpected(Context& ctx, const std::string& path,
                       const std::vector<std::string>& unexpected) {
    for (const std::string& n : unexpected)
        ctx.log(SDN_LOG_WARN, "%s: unexpected tensor %s (no network uses it)", path.c_str(),
                n.c_str());
    if (!unexpected.empty())
        ctx.log(SDN_LOG_WARN, "%s: %zu unexpected tensor(s) ignored", path.c_str(),
                unexpected.size());
    return unexpected.size();
}

}  // namespace sdn
