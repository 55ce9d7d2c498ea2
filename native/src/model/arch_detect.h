// Recognising what a model file holds from tensor names and shapes: which components
// (UNet, CLIP, VAE), under which prefixes, and which Stable Diffusion architecture. The
// UNet is read as ComfyUI's detect_unet_config reads it (model channels, levels, transformer
// depths, context width, linear projections, the ADM input width), never from a fixed table,
// so shrunk test models are recognised too.
#pragma once

#include <string>
#include <vector>

#include "model/clip_text_model.h"
#include "model/weight_lookup.h"
#include "sdnative.h"

namespace sdn {

// The UNet facts detection reads from shapes (zero when absent).
struct UnetShapeFacts {
    int64_t model_channels = 0, in_channels = 0, context_dim = 0, adm_in_channels = 0;
    int levels = 0;                    // resolution levels (down-samplers + 1)
    bool linear_projections = false;   // proj_in stored [out, in] (SD2, SDXL) not as a 1x1 conv
    bool attention_at_level0 = false;  // SDXL has none
    bool attention_at_deepest = false;  // SDXL base has some; the refiner none
    std::vector<int> transformer_depth;  // per input block after the stem
};

struct ArchDetection {
    sdn_arch arch = SDN_ARCH_UNKNOWN;
    sdn_prediction prediction = SDN_PREDICTION_EPS;
    std::string evidence;     // what decided it, e.g. "attn2.to_k.weight context width 768"
    std::string prediction_evidence;
    bool has_unet = false;
    std::string unet_prefix;  // "model.diffusion_model." or "" (UNet-only file)
    UnetShapeFacts unet;
    bool has_clip = false;    // every text encoder the architecture needs is present
    std::string clip_prefix;  // the first (or only) text encoder's prefix
    // Every text encoder in the order their outputs are joined (SDXL: CLIP-L, then bigG).
    std::vector<ClipTextSpec> clip_specs;
    bool has_vae = false;     // first_stage_model.* (or a bare encoder./decoder. VAE file)
    std::string vae_prefix;
};

// names: every tensor name in the file; lookup finds them (for shapes).
ArchDetection detect_architecture(const std::vector<std::string>& names,
                                  const WeightLookup& lookup);

// Throws Error(SDN_ERR_FORMAT) naming the evidence unless a known architecture.
void require_supported(const ArchDetection& d, const std::string& path);

// Attention heads of an architecture's UNet: SD1 has 8 heads at every width; SD2 and SDXL
// 64-channel heads (num_heads 0, head_dim 64).
struct UnetHeads {
    int64_t num_heads = 8, head_dim = 0;
};
UnetHeads unet_heads(sdn_arch arch);

// How each text encoder runs: CLIP-L as SD1 uses it (last layer, final LayerNorm) or as SDXL
// does (penultimate, raw); OpenCLIP ViT-H (SD2: penultimate with final LayerNorm) or bigG
// (SDXL: penultimate, raw), GELU and pad token 0, in OpenCLIP or transformers names.
ClipTextSpec clip_l_text_spec(const std::string& prefix, bool sdxl);
ClipTextSpec open_clip_text_spec(const std::string& prefix, bool sdxl, bool open_clip_names = true);

// The short name `sdnative info` and logs use: "sd1", "sd2", "sdxl", "sdxl_refiner", ...
const char* arch_name(sdn_arch arch);
const char* prediction_name(sdn_prediction prediction);

}  // namespace sdn
