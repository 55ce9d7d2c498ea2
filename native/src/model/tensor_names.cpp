// Component prefixes and the ignore list of checkpoint tensors.
#include "model/tensor_names.h"

#include <array>

namespace sdn {

namespace {

bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

// Top-level module names of the openaimodel UNet (for UNet-only files with bare names).
bool is_bare_unet_name(const std::string& name) {
    for (const char* p : {"input_blocks.", "middle_block.", "output_blocks.", "out.", "time_embed."})
        if (starts_with(name, p)) return true;
    return false;
}

}  // namespace

CheckpointComponent component_of(const std::string& name, const std::string& unet_prefix) {
    if (starts_with(name, kUnetPrefix)) return CheckpointComponent::Unet;
    if (unet_prefix.empty() && is_bare_unet_name(name)) return CheckpointComponent::Unet;
    if (starts_with(name, kClipPrefix) || starts_with(name, "conditioner.embedders."))
        return CheckpointComponent::Clip;
    if (starts_with(name, kVaePrefix)) return CheckpointComponent::Vae;
    return CheckpointComponent::Other;
}

bool is_ignored_tensor(const std::string& name) {
    static const std::array<const char*, 13> kScheduleBuffers = {
        "betas",
        "alphas_cumprod",
        "alphas_cumprod_prev",
        "sqrt_alphas_cumprod",
        "sqrt_one_minus_alphas_cumprod",
        "log_one_minus_alphas_cumprod",
        "sqrt_recip_alphas_cumprod",
        "sqrt_recipm1_alphas_cumprod",
        "posterior_variance",
        "posterior_log_variance_clipped",
        "posterior_mean_coef1",
        "posterior_mean_coef2",
        "logvar",
    };
    for (const char* b : kScheduleBuffers)
        if (name == b) return true;
    if (starts_with(name, "model_ema.")) return true;
    for (const char* ids : {"cond_stage_model.transformer.text_model.embeddings.position_ids",
                            "conditioner.embedders.0.transformer.text_model.embeddings.position_ids",
                            "transformer.text_model.embeddings.position_ids",
                            "text_model.embeddings.position_ids",
                            // OpenCLIP's contrastive temperature; no text encoding uses it
                            "cond_stage_model.model.logit_scale",
                            "conditioner.embedders.0.model.logit_scale",
                            "conditioner.embedders.1.model.logit_scale",
                            // ComfyUI's marker for v-prediction files, read by detection
                            "v_pred"})
        if (name == ids) return true;
    return false;
}

}  // namespace sdn
