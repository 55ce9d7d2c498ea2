// Architecture detection. SDXL is recognised by its label embedding / conditioner embedders,
// SD1 vs SD2 by the cross-attention context width (768 = CLIP-L, 1024 = OpenCLIP-H) or, for
// shrunk test models, by the SD1 trait of 1x1-conv transformer projections (SD2: linear).
#include "model/arch_detect.h"

#include "core/error.h"
#include "model/clip_text_model.h"
#include "model/tensor_names.h"

namespace sdn {

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool contains(const std::string& s, const char* p) { return s.find(p) != std::string::npos; }

}  // namespace

ArchDetection detect_architecture(const std::vector<std::string>& names,
                                  const WeightLookup& lookup) {
    ArchDetection d;
    if (lookup(std::string(kUnetPrefix) + "input_blocks.0.0.weight")) {
        d.has_unet = true;
        d.unet_prefix = kUnetPrefix;
    } else if (lookup("input_blocks.0.0.weight")) {
        d.has_unet = true;
        d.unet_prefix = "";
    }
    if (lookup("first_stage_model.decoder.conv_in.weight") ||
        lookup("first_stage_model.encoder.conv_in.weight")) {
        d.has_vae = true;
        d.vae_prefix = kVaePrefix;
    } else if (lookup("decoder.conv_in.weight") || lookup("encoder.conv_in.weight")) {
        d.has_vae = true;
        d.vae_prefix = "";
    }
    // CLIP-only files (ComfyUI's models/text_encoders) carry the text model without the
    // checkpoint's cond_stage_model. prefix, in the transformers layout.
    for (const char* prefix : {kSd1ClipPrefix, "transformer.text_model.", "text_model."}) {
        if (lookup(std::string(prefix) + "embeddings.token_embedding.weight")) {
            d.has_clip = true;
            d.clip_prefix = prefix;
            break;
        }
    }

    for (const std::string& n : names) {
        if (contains(n, "label_emb.") || starts_with(n, "conditioner.embedders.")) {
            d.arch = SDN_ARCH_SDXL;
            d.evidence = "tensor " + n + " (SDXL class/pooled-text embedding)";
            return d;
        }
    }
    for (const std::string& n : names) {
        if (!(starts_with(n, d.unet_prefix) && contains(n, "attn2.to_k.weight"))) continue;
        const WeightRef* k = lookup(n);
        if (!k || k->shape.size() != 2) continue;
        const int64_t width = k->shape[1];
        d.evidence = n + " context width " + std::to_string(width);
        if (width == 768) d.arch = SDN_ARCH_SD1;
        else if (width == 1024) d.arch = SDN_ARCH_SD2;
        else if (width == 2048) d.arch = SDN_ARCH_SDXL;
        else {
            // A shrunk model: SD1 stores proj_in as a 1x1 conv, SD2 as a linear.
            const std::string proj = n.substr(0, n.find("transformer_blocks.")) + "proj_in.weight";
            const WeightRef* p = lookup(proj);
            d.arch = (p && p->shape.size() == 2) ? SDN_ARCH_SD2 : SDN_ARCH_SD1;
            d.evidence += (d.arch == SDN_ARCH_SD1) ? ", 1x1-conv proj_in (SD1 layout)"
                                                   : ", linear proj_in (SD2 layout)";
        }
        return d;
    }
    if (!d.has_unet) {
        if (d.has_clip) {
            d.arch = SDN_ARCH_SD1;
            d.evidence = "CLIP-L text model under " + d.clip_prefix + " (no UNet)";
        } else if (lookup("cond_stage_model.model.token_embedding.weight")) {
            d.arch = SDN_ARCH_SD2;
            d.evidence = "OpenCLIP text model under cond_stage_model.model (no UNet)";
        }
    } else {
        d.evidence = "UNet without cross-attention key projections";
    }
    return d;
}

void require_supported(const ArchDetection& d, const std::string& path) {
    switch (d.arch) {
        case SDN_ARCH_SD1:
            return;
        case SDN_ARCH_SD2:
            fail(SDN_ERR_UNSUPPORTED,
                 path + ": Stable Diffusion 2.x model (" + d.evidence + ") is not supported yet");
        case SDN_ARCH_SDXL:
            fail(SDN_ERR_UNSUPPORTED,
                 path + ": SDXL model (" + d.evidence + ") is not supported yet");
        default:
            fail(SDN_ERR_FORMAT, path + ": not a recognised Stable Diffusion model (" +
                                     (d.evidence.empty() ? std::string("no UNet, CLIP or VAE tensors")
                                                         : d.evidence) +
                                     ")");
    }
}

}  // namespace sdn
