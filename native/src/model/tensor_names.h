// Where checkpoint tensors belong: the component prefixes of LDM-layout checkpoints and the
// documented list of tensors no network reads (schedule buffers, EMA copies, position ids).
#pragma once

#include <string>

namespace sdn {

inline constexpr const char* kUnetPrefix = "model.diffusion_model.";
inline constexpr const char* kClipPrefix = "cond_stage_model.";
inline constexpr const char* kVaePrefix = "first_stage_model.";

enum class CheckpointComponent { Unet, Clip, Vae, Other };

// The component a full tensor name belongs to. unet_prefix is "model.diffusion_model." for a
// checkpoint or "" for a UNet-only file (then bare input_blocks.* etc. count as UNet).
CheckpointComponent component_of(const std::string& name, const std::string& unet_prefix);

// Tensors that are present in real checkpoints but used by no network here:
//  - the DDPM schedule buffers (betas, alphas_cumprod, alphas_cumprod_prev, sqrt_*,
//    log_one_minus_alphas_cumprod, posterior_*), logvar: the sampler derives its own sigmas;
//  - model_ema.*: the EMA copy of the UNet (the main weights are what ComfyUI loads);
//  - the CLIP text model's embeddings.position_ids (under any of its prefixes): always 0..76;
//  - OpenCLIP's logit_scale, and the v_pred marker key (read by architecture detection).
bool is_ignored_tensor(const std::string& name);

}  // namespace sdn
