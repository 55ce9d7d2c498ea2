// LoRA stem -> network weight maps for the UNet and the text encoders.
#include "model/lora_keys.h"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <vector>

namespace sdn {

namespace {

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
bool ends_with(const std::string& s, const std::string& p) {
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string underscored(std::string s) {
    std::replace(s.begin(), s.end(), '.', '_');
    return s;
}

// Splits "12.rest" into 12 and "rest"; false when s does not start with a number and a dot.
bool take_index(const std::string& s, int& index, std::string& rest) {
    size_t i = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == 0 || i >= s.size() || s[i] != '.') return false;
    index = std::atoi(s.substr(0, i).c_str());
    rest = s.substr(i + 1);
    return true;
}

// ResBlock parts: LDM -> diffusers.
std::string resnet_part(const std::string& rest) {
    static const std::pair<const char*, const char*> kMap[] = {
        {"in_layers.0.", "norm1."},  {"in_layers.2.", "conv1."},  {"emb_layers.1.", "time_emb_proj."},
        {"out_layers.0.", "norm2."}, {"out_layers.3.", "conv2."}, {"skip_connection.", "conv_shortcut."},
    };
    for (const auto& [ldm, diff] : kMap)
        if (starts_with(rest, ldm)) return diff + rest.substr(std::string(ldm).size());
    return "";
}

// The diffusers name of block `slot` of a level's block (resnet at slot 0, attention at 1,
// an upsampler at 1 or 2 when it is a conv).
std::string block_part(const std::string& block, int slot, const std::string& rest, int j) {
    if (slot == 0) {
        const std::string r = resnet_part(rest);
        return r.empty() ? "" : block + ".resnets." + std::to_string(j) + "." + r;
    }
    if (starts_with(rest, "conv.")) return block + ".upsamplers.0." + rest;
    if (slot == 1) return block + ".attentions." + std::to_string(j) + "." + rest;
    return "";
}

std::string unet_prefix_of(const std::string& name) {
    const size_t p = name.find("diffusion_model.");
    return p == std::string::npos ? "" : name.substr(0, p + std::string("diffusion_model.").size());
}

// Resnets per level of the input path: the first input block holding a downsampler comes
// right after them.
int res_per_level(const std::set<std::string>& names) {
    int first_down = INT_MAX;
    for (const std::string& n : names) {
        const std::string k = n.substr(unet_prefix_of(n).size());
        int index = 0;
        std::string rest;
        if (starts_with(k, "input_blocks.") && take_index(k.substr(13), index, rest) &&
            starts_with(rest, "0.op."))
            first_down = std::min(first_down, index);
    }
    return first_down == INT_MAX ? 2 : first_down - 1;
}

void add_unet_stems(LoraKeyMap& map, const std::string& full, const std::string& ldm,
                    const std::string& diffusers) {
    const LoraTarget target{full, 0, 1};
    map["lora_unet_" + underscored(ldm)] = target;
    map["diffusion_model." + ldm] = target;
    if (diffusers.empty()) return;
    map["lora_unet_" + underscored(diffusers)] = target;
    map["lycoris_" + underscored(diffusers)] = target;
    map["unet." + diffusers] = target;
    std::string processor = diffusers;
    for (size_t p = processor.find(".to_"); p != std::string::npos;
         p = processor.find(".to_", p + 14))
        processor.replace(p, 4, ".processor.to_");
    if (ends_with(processor, ".to_out.0")) processor.resize(processor.size() - 2);
    map[processor] = target;
    map["unet." + processor] = target;
}

// HF CLIP layer parts LoRA files address, with their kohya spelling.
const std::pair<const char*, const char*> kClipParts[] = {
    {"mlp.fc1", "mlp_fc1"},
    {"mlp.fc2", "mlp_fc2"},
    {"self_attn.k_proj", "self_attn_k_proj"},
    {"self_attn.q_proj", "self_attn_q_proj"},
    {"self_attn.v_proj", "self_attn_v_proj"},
    {"self_attn.out_proj", "self_attn_out_proj"},
};

struct ClipWeight {
    std::string encoder;  // the name's part before the layer list
    int layer = 0;
    std::string part;     // an HF part name ("self_attn.q_proj")
    LoraTarget target;
};

// The HF or OpenCLIP layer weight a name is, if it is one LoRAs address.
std::vector<ClipWeight> clip_weights_of(const std::string& name) {
    std::vector<ClipWeight> out;
    int layer = 0;
    std::string rest;
    static const std::string kHf = "text_model.encoder.layers.";
    static const std::string kOpen = "transformer.resblocks.";
    if (size_t p = name.find(kHf); p != std::string::npos) {
        if (!take_index(name.substr(p + kHf.size()), layer, rest)) return out;
        for (const auto& [part, kohya] : kClipParts)
            if (rest == std::string(part) + ".weight")
                out.push_back({name.substr(0, p), layer, part, {name, 0, 1}});
        return out;
    }
    if (size_t p = name.find(kOpen); p != std::string::npos) {
        if (!take_index(name.substr(p + kOpen.size()), layer, rest)) return out;
        const std::string encoder = name.substr(0, p);
        if (rest == "attn.in_proj_weight") {
            out.push_back({encoder, layer, "self_attn.q_proj", {name, 0, 3}});
            out.push_back({encoder, layer, "self_attn.k_proj", {name, 1, 3}});
            out.push_back({encoder, layer, "self_attn.v_proj", {name, 2, 3}});
        } else if (rest == "attn.out_proj.weight") {
            out.push_back({encoder, layer, "self_attn.out_proj", {name, 0, 1}});
        } else if (rest == "mlp.c_fc.weight") {
            out.push_back({encoder, layer, "mlp.fc1", {name, 0, 1}});
        } else if (rest == "mlp.c_proj.weight") {
            out.push_back({encoder, layer, "mlp.fc2", {name, 0, 1}});
        }
    }
    return out;
}

}  // namespace

std::string unet_ldm_to_diffusers(const std::string& ldm, int res_per_level) {
    const int per_level = res_per_level + 1;
    int n = 0, slot = 0;
    std::string rest, rest2;
    static const std::pair<const char*, const char*> kFixed[] = {
        {"time_embed.0.", "time_embedding.linear_1."}, {"time_embed.2.", "time_embedding.linear_2."},
        {"label_emb.0.0.", "add_embedding.linear_1."}, {"label_emb.0.2.", "add_embedding.linear_2."},
        {"out.0.", "conv_norm_out."},                  {"out.2.", "conv_out."},
        {"input_blocks.0.0.", "conv_in."},
    };
    for (const auto& [from, to] : kFixed)
        if (starts_with(ldm, from)) return to + ldm.substr(std::string(from).size());
    if (starts_with(ldm, "input_blocks.") && take_index(ldm.substr(13), n, rest) && n > 0 &&
        take_index(rest, slot, rest2)) {
        const int level = (n - 1) / per_level, j = (n - 1) % per_level;
        const std::string block = "down_blocks." + std::to_string(level);
        if (slot == 0 && starts_with(rest2, "op."))
            return block + ".downsamplers.0.conv." + rest2.substr(3);
        return slot <= 1 ? block_part(block, slot, rest2, j) : "";
    }
    if (starts_with(ldm, "middle_block.") && take_index(ldm.substr(13), slot, rest)) {
        if (slot == 1) return "mid_block.attentions.0." + rest;
        const std::string r = resnet_part(rest);
        if (r.empty() || (slot != 0 && slot != 2)) return "";
        return "mid_block.resnets." + std::to_string(slot / 2) + "." + r;
    }
    if (starts_with(ldm, "output_blocks.") && take_index(ldm.substr(14), n, rest) &&
        take_index(rest, slot, rest2))
        return block_part("up_blocks." + std::to_string(n / per_level), slot, rest2,
                          n % per_level);
    return "";
}

LoraKeyMap unet_lora_keys(const std::set<std::string>& names) {
    LoraKeyMap map;
    const int res = res_per_level(names);
    for (const std::string& full : names) {
        if (!ends_with(full, ".weight")) continue;
        const std::string ldm = full.substr(unet_prefix_of(full).size());
        const std::string stem = ldm.substr(0, ldm.size() - 7);
        std::string diffusers = unet_ldm_to_diffusers(ldm, res);
        if (!diffusers.empty()) diffusers.resize(diffusers.size() - 7);
        add_unet_stems(map, full, stem, diffusers);
    }
    return map;
}

LoraKeyMap clip_lora_keys(const std::set<std::string>& names) {
    std::vector<ClipWeight> weights;
    std::set<std::string> encoders;
    for (const std::string& n : names)
        for (ClipWeight& w : clip_weights_of(n)) {
            encoders.insert(w.encoder);
            weights.push_back(std::move(w));
        }
    LoraKeyMap map;
    for (const ClipWeight& w : weights) {
        const int index = static_cast<int>(std::distance(encoders.begin(), encoders.find(w.encoder)));
        std::string kohya;
        for (const auto& [part, k] : kClipParts)
            if (w.part == part) kohya = k;
        const std::string layer = std::to_string(w.layer);
        const std::string kohya_tail = "_text_model_encoder_layers_" + layer + "_" + kohya;
        const std::string diffusers_tail = ".text_model.encoder.layers." + layer + "." + w.part;
        if (index == 0) {
            map["lora_te" + kohya_tail] = w.target;
            map["lora_te1" + kohya_tail] = w.target;
            map["text_encoder" + diffusers_tail] = w.target;
        } else if (index == 1) {
            map["lora_te2" + kohya_tail] = w.target;
            map["text_encoder_2" + diffusers_tail] = w.target;
        }
    }
    return map;
}

}  // namespace sdn
