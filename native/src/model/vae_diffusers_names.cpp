#include "model/vae_diffusers_names.h"

#include <vector>

namespace sdn::vae {

namespace {

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        const size_t dot = s.find('.', start);
        parts.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

std::string join(const std::vector<std::string>& parts, size_t from) {
    std::string s;
    for (size_t i = from; i < parts.size(); ++i) s += (s.empty() ? "" : ".") + parts[i];
    return s;
}

bool is_index(const std::string& s) {
    return !s.empty() && s.size() < 4 && s.find_first_not_of("0123456789") == std::string::npos;
}

// Inside a resnet block only the shortcut is renamed.
std::string resnet_rest(const std::vector<std::string>& parts, size_t from) {
    std::string rest = join(parts, from);
    if (rest.rfind("nin_shortcut.", 0) == 0) rest = "conv_shortcut." + rest.substr(13);
    return rest;
}

int count_decoder_levels(const WeightLookup& lookup, const std::string& prefix) {
    int n = 0;
    while (n < 64 &&
           lookup(prefix + "decoder.up_blocks." + std::to_string(n) + ".resnets.0.conv1.weight"))
        ++n;
    return n;
}

}  // namespace

std::string diffusers_vae_name(const std::string& ldm_name, int decoder_levels, bool alternate) {
    const std::vector<std::string> p = split(ldm_name);
    if (p.size() < 2) return ldm_name;
    const std::string& side = p[0];  // encoder / decoder / quant_conv / post_quant_conv
    if (side != "encoder" && side != "decoder") return ldm_name;

    // encoder.down.I.block.J.* / encoder.down.I.downsample.conv.*
    if (side == "encoder" && p[1] == "down" && p.size() >= 5 && is_index(p[2])) {
        if (p[3] == "block" && is_index(p[4]))
            return "encoder.down_blocks." + p[2] + ".resnets." + p[4] + "." + resnet_rest(p, 5);
        if (p[3] == "downsample") return "encoder.down_blocks." + p[2] + ".downsamplers.0." + join(p, 4);
        return "";
    }
    // decoder.up.I.* counts levels finest first; diffusers' up_blocks run coarsest first.
    if (side == "decoder" && p[1] == "up" && p.size() >= 5 && is_index(p[2])) {
        const int level = std::stoi(p[2]);
        if (level >= decoder_levels) return "";
        const std::string block = std::to_string(decoder_levels - 1 - level);
        if (p[3] == "block" && is_index(p[4]))
            return "decoder.up_blocks." + block + ".resnets." + p[4] + "." + resnet_rest(p, 5);
        if (p[3] == "upsample") return "decoder.up_blocks." + block + ".upsamplers.0." + join(p, 4);
        return "";
    }
    if (p[1] == "mid" && p.size() >= 4) {
        if (p[2] == "block_1") return side + ".mid_block.resnets.0." + resnet_rest(p, 3);
        if (p[2] == "block_2") return side + ".mid_block.resnets.1." + resnet_rest(p, 3);
        if (p[2] == "attn_1") {
            const std::string attn = side + ".mid_block.attentions.0.";
            const std::string rest = join(p, 4);
            if (p[3] == "norm") return attn + "group_norm." + rest;
            if (p[3] == "q") return attn + (alternate ? "query." : "to_q.") + rest;
            if (p[3] == "k") return attn + (alternate ? "key." : "to_k.") + rest;
            if (p[3] == "v") return attn + (alternate ? "value." : "to_v.") + rest;
            if (p[3] == "proj_out") return attn + (alternate ? "proj_attn." : "to_out.0.") + rest;
        }
        return "";
    }
    if (p[1] == "norm_out") return side + ".conv_norm_out." + join(p, 2);
    return ldm_name;  // conv_in, conv_out keep their names
}

bool is_diffusers_vae(const WeightLookup& lookup, const std::string& prefix) {
    return lookup(prefix + "decoder.up_blocks.0.resnets.0.conv1.weight") != nullptr ||
           lookup(prefix + "encoder.down_blocks.0.resnets.0.conv1.weight") != nullptr;
}

WeightLookup diffusers_vae_lookup(WeightLookup inner, const std::string& diffusers_prefix,
                                  const std::string& ldm_prefix) {
    const int levels = count_decoder_levels(inner, diffusers_prefix);
    return [inner, diffusers_prefix, ldm_prefix, levels](const std::string& name) -> const WeightRef* {
        if (name.compare(0, ldm_prefix.size(), ldm_prefix) != 0) return nullptr;
        const std::string ldm = name.substr(ldm_prefix.size());
        for (bool alternate : {false, true}) {
            const std::string mapped = diffusers_vae_name(ldm, levels, alternate);
            if (mapped.empty()) return nullptr;
            if (const WeightRef* w = inner(diffusers_prefix + mapped)) return w;
        }
        return nullptr;
    };
}

}  // namespace sdn::vae
