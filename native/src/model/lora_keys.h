// Which network weight each LoRA stem adapts, derived from the network's own tensor names as
// ComfyUI's model_lora_keys_unet / model_lora_keys_clip derive it from the model:
//  - UNet (LDM names, "model.diffusion_model." or no prefix): `lora_unet_` + the LDM name or
//    + its diffusers name with '.' -> '_' (what kohya files use), `diffusion_model.` + LDM
//    name, and the diffusers forms `unet.<name>` and `[unet.]<...>.processor.to_q`. The
//    diffusers <-> LDM block numbering comes from the names (resnets per level), so shrunk
//    test models and SDXL's three levels map the same way.
//  - Text encoders: HF names (`…text_model.encoder.layers.N.self_attn.q_proj`) and OpenCLIP
//    names (`…transformer.resblocks.N.attn.in_proj_weight`, whose q/k/v thirds are separate
//    targets). The first encoder of a file answers to `lora_te_`, `lora_te1_` and
//    `text_encoder.`; the second (SDXL's CLIP-G) to `lora_te2_` and `text_encoder_2.`.
#pragma once

#include <map>
#include <set>
#include <string>

namespace sdn {

struct LoraTarget {
    std::string tensor;      // full name of the weight patched
    // The LoRA covers block `part` of `parts` equal blocks of rows (outermost index): a
    // fused q/k/v projection is three targets. 0 of 1 = the whole tensor.
    int part = 0;
    int parts = 1;
};

using LoraKeyMap = std::map<std::string, LoraTarget>;

// Stems for every 2-D or 4-D `.weight` among the UNet tensor names given.
LoraKeyMap unet_lora_keys(const std::set<std::string>& names);

// Stems for the text encoders' attention and MLP weights among the names given.
LoraKeyMap clip_lora_keys(const std::set<std::string>& names);

// The diffusers name of an LDM UNet name without prefix ("input_blocks.1.1.proj_in.weight"
// -> "down_blocks.0.attentions.0.proj_in.weight"); "" when it has none. res_per_level: the
// resnets per level of the input path (SD: 2).
std::string unet_ldm_to_diffusers(const std::string& ldm, int res_per_level);

}  // namespace sdn
