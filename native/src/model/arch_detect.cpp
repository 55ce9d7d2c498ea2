// Architecture detection, after ComfyUI's model_detection.detect_unet_config: the UNet's
// facts come from shapes (stem width, ADM input width, levels from the down-samplers,
// transformer depth per block, the cross-attention context width, linear or 1x1-conv
// projections). Then:
//   - an ADM input (label_emb) means SDXL: base when two text encoders feed it (or 2816
//     wide), refiner when one (or 2560 wide);
//   - otherwise context 768 or conv projections mean SD1.x, context 1024 or linear ones SD2.x.
// SD2's prediction type follows ComfyUI's heuristic (the spread of one norm bias) unless the
// file carries a v_pred key.
#include "model/arch_detect.h"

#include <cmath>

#include "core/error.h"
#include "model/tensor_names.h"
#include "quant/row_ops.h"

namespace sdn {

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

int64_t dim(const WeightRef* w, size_t i) { return w && w->shape.size() > i ? w->shape[i] : 0; }

UnetShapeFacts read_unet_facts(const WeightLookup& lookup, const std::string& p) {
    UnetShapeFacts f;
    const WeightRef* stem = lookup(p + "input_blocks.0.0.weight");
    f.model_channels = dim(stem, 0);
    f.in_channels = dim(stem, 1);
    f.adm_in_channels = dim(lookup(p + "label_emb.0.0.weight"), 1);
    f.levels = 1;
    for (int i = 1; lookup(p + "input_blocks." + std::to_string(i) + ".0.in_layers.0.weight") ||
                    lookup(p + "input_blocks." + std::to_string(i) + ".0.op.weight");
         ++i) {
        const std::string b = p + "input_blocks." + std::to_string(i);
        if (lookup(b + ".0.op.weight")) {
            ++f.levels;
            f.attention_at_deepest = false;  // a new level starts: judge it afresh
            continue;
        }
        int depth = 0;
        while (lookup(b + ".1.transformer_blocks." + std::to_string(depth) + ".norm1.weight")) ++depth;
        f.transformer_depth.push_back(depth);
        f.attention_at_deepest = f.attention_at_deepest || depth > 0;
        if (depth > 0) {
            if (f.levels == 1) f.attention_at_level0 = true;
            if (f.context_dim == 0)
                f.context_dim = dim(lookup(b + ".1.transformer_blocks.0.attn2.to_k.weight"), 1);
            if (const WeightRef* pin = lookup(b + ".1.proj_in.weight"))
                f.linear_projections = pin->shape.size() == 2;
        }
    }
    if (f.context_dim == 0) {
        f.context_dim = dim(lookup(p + "middle_block.1.transformer_blocks.0.attn2.to_k.weight"), 1);
        if (const WeightRef* pin = lookup(p + "middle_block.1.proj_in.weight"))
            f.linear_projections = pin->shape.size() == 2;
    }
    return f;
}

// Population standard deviation of a small stored vector (ComfyUI's torch.std is the
// sample one; with 640+ values the two agree far beyond the 0.09 threshold's needs).
double spread(const WeightRef& w) {
    const int64_t n = w.elements();
    if (n < 2 || dtype_row_bytes(w.type, n) < 0) return 0.0;
    std::vector<float> v(static_cast<size_t>(n));
    dequantize_row_reference(w.type, w.data, v.data(), n);
    double mean = 0.0, sq = 0.0;
    for (float x : v) mean += x;
    mean /= static_cast<double>(n);
    for (float x : v) sq += (x - mean) * (x - mean);
    return std::sqrt(sq / static_cast<double>(n - 1));
}

bool has_open_clip(const WeightLookup& lookup, const std::string& prefix) {
    return lookup(prefix + "token_embedding.weight") != nullptr;
}
bool has_hf_clip(const WeightLookup& lookup, const std::string& prefix) {
    return lookup(prefix + "embeddings.token_embedding.weight") != nullptr;
}

void detect_text_encoders(ArchDetection& d, const WeightLookup& lookup) {
    const std::string l_xl = "conditioner.embedders.0.transformer.text_model.";
    const std::string g_xl = "conditioner.embedders.1.model.";
    const std::string g_refiner = "conditioner.embedders.0.model.";
    const std::string h_sd2 = "cond_stage_model.model.";
    if (has_hf_clip(lookup, l_xl) || has_open_clip(lookup, g_xl)) {
        if (has_hf_clip(lookup, l_xl)) d.clip_specs.push_back(clip_l_text_spec(l_xl, true));
        if (has_open_clip(lookup, g_xl)) d.clip_specs.push_back(open_clip_text_spec(g_xl, true));
        d.has_clip = d.clip_specs.size() == 2;
    } else if (has_open_clip(lookup, g_refiner)) {
        d.clip_specs.push_back(open_clip_text_spec(g_refiner, true));
        d.has_clip = true;
    } else if (has_open_clip(lookup, h_sd2)) {
        d.clip_specs.push_back(open_clip_text_spec(h_sd2, false));
        d.has_clip = true;
    } else {
        // CLIP-only files (ComfyUI's models/text_encoders) carry the text model without the
        // checkpoint's cond_stage_model. prefix, in the transformers layout.
        for (const char* prefix : {kSd1ClipPrefix, "transformer.text_model.", "text_model."}) {
            if (has_hf_clip(lookup, prefix)) {
                d.clip_specs.push_back(clip_l_text_spec(prefix, false));
                d.has_clip = true;
                break;
            }
        }
    }
    if (!d.clip_specs.empty()) d.clip_prefix = d.clip_specs.front().prefix;
}

void decide_unet_arch(ArchDetection& d, const WeightLookup& lookup) {
    const UnetShapeFacts& f = d.unet;
    const std::string facts = "model_channels " + std::to_string(f.model_channels) + ", " +
                              std::to_string(f.levels) + " levels, context width " +
                              std::to_string(f.context_dim) + ", " +
                              (f.linear_projections ? "linear" : "1x1-conv") + " proj_in";
    if (f.adm_in_channels > 0) {
        // Two text encoders feed the base, bigG alone the refiner; without encoders the
        // 2816/2560-wide vector decides, or (shrunk models) the base's attention at its
        // deepest level, which the refiner lacks.
        bool base = f.attention_at_deepest;
        if (!d.clip_specs.empty()) base = d.clip_specs.size() == 2;
        else if (f.adm_in_channels == 2816 || f.adm_in_channels == 2560) base = f.adm_in_channels == 2816;
        d.arch = base ? SDN_ARCH_SDXL : SDN_ARCH_SDXL_REFINER;
        d.evidence = "label_emb ADM input width " + std::to_string(f.adm_in_channels) + ", " + facts;
    } else if (f.context_dim == 768 || (f.context_dim != 1024 && !f.linear_projections)) {
        d.arch = SDN_ARCH_SD1;
        d.evidence = facts;
    } else {
        d.arch = SDN_ARCH_SD2;
        d.evidence = facts;
    }
    if (lookup("v_pred")) {
        d.prediction = SDN_PREDICTION_V;
        d.prediction_evidence = "v_pred key";
    } else if (d.arch == SDN_ARCH_SD2 && f.in_channels == 4) {
        const WeightRef* bias = lookup(d.unet_prefix + "output_blocks.11.1.transformer_blocks.0.norm1.bias");
        const double s = bias ? spread(*bias) : 0.0;
        d.prediction = s > 0.09 ? SDN_PREDICTION_V : SDN_PREDICTION_EPS;
        d.prediction_evidence = bias ? "std of output_blocks.11.1.transformer_blocks.0.norm1.bias " +
                                           std::to_string(s) + (s > 0.09 ? " > 0.09" : " <= 0.09")
                                     : "SD2 without output_blocks.11.1 (eps)";
    } else {
        d.prediction_evidence = "no v_pred key";
    }
}

}  // namespace

ClipTextSpec clip_l_text_spec(const std::string& prefix, bool sdxl) {
    ClipTextSpec s;
    s.prefix = prefix;
    if (sdxl) {
        s.norm_hidden = false;
        s.default_layer = -2;
    }
    return s;
}

ClipTextSpec open_clip_text_spec(const std::string& prefix, bool sdxl, bool open_clip_names) {
    ClipTextSpec s;
    s.prefix = prefix;
    s.open_clip_names = open_clip_names;
    s.activation = Activation::GeluErf;
    s.norm_hidden = !sdxl;
    s.default_layer = -2;
    s.pad_with_end = false;
    return s;
}

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
    detect_text_encoders(d, lookup);

    if (d.has_unet) {
        d.unet = read_unet_facts(lookup, d.unet_prefix);
        decide_unet_arch(d, lookup);
        return d;
    }
    if (!d.clip_specs.empty()) {
        const std::string& p = d.clip_prefix;
        if (starts_with(p, "conditioner.embedders.0.model.")) d.arch = SDN_ARCH_SDXL_REFINER;
        else if (starts_with(p, "conditioner.")) d.arch = SDN_ARCH_SDXL;
        else if (d.clip_specs.front().open_clip_names) d.arch = SDN_ARCH_SD2;
        else d.arch = SDN_ARCH_SD1;
        d.evidence = std::string(d.clip_specs.front().open_clip_names ? "OpenCLIP" : "CLIP-L") +
                     " text model under " + p + " (no UNet)";
    }
    (void)names;
    return d;
}

void require_supported(const ArchDetection& d, const std::string& path) {
    if (d.arch != SDN_ARCH_UNKNOWN) return;
    fail(SDN_ERR_FORMAT, path + ": not a recognised Stable Diffusion model (" +
                             (d.evidence.empty() ? std::string("no UNet, CLIP or VAE tensors")
                                                 : d.evidence) +
                             ")");
}

UnetHeads unet_heads(sdn_arch arch) {
    if (arch == SDN_ARCH_SD1) return {8, 0};
    return {0, 64};
}

const char* arch_name(sdn_arch arch) {
    switch (arch) {
        case SDN_ARCH_SD1: return "sd1";
        case SDN_ARCH_SD2: return "sd2";
        case SDN_ARCH_SDXL: return "sdxl";
        case SDN_ARCH_SDXL_REFINER: return "sdxl_refiner";
        default: return "unknown";
    }
}

const char* prediction_name(sdn_prediction prediction) {
    return prediction == SDN_PREDICTION_V ? "v_prediction" : "eps";
}

}  // namespace sdn
