// Recognising what a model file holds from tensor names and shapes: which components
// (UNet, CLIP, VAE), under which prefixes, and which Stable Diffusion architecture.
#pragma once

#include <string>
#include <vector>

#include "model/weight_lookup.h"
#include "sdnative.h"

namespace sdn {

struct ArchDetection {
    sdn_arch arch = SDN_ARCH_UNKNOWN;
    std::string evidence;     // what decided it, e.g. "attn2.to_k.weight context width 768"
    bool has_unet = false;
    std::string unet_prefix;  // "model.diffusion_model." or "" (UNet-only file)
    bool has_clip = false;    // SD1 CLIP-L text model (a checkpoint's or a text-encoder file's)
    std::string clip_prefix;  // "cond_stage_model.transformer.text_model." in a checkpoint;
                              // "transformer.text_model." or "text_model." in a CLIP-only file
    bool has_vae = false;     // first_stage_model.* (or a bare encoder./decoder. VAE file)
    std::string vae_prefix;
};

// names: every tensor name in the file; lookup finds them (for shapes).
ArchDetection detect_architecture(const std::vector<std::string>& names,
                                  const WeightLookup& lookup);

// Throws Error(SDN_ERR_UNSUPPORTED) naming the architecture and its evidence unless SD1.
void require_supported(const ArchDetection& d, const std::string& path);

}  // namespace sdn
