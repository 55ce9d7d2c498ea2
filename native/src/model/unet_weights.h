// The named weights of the SD UNet, bound from a WeightLookup. Binding records every name it
// asked for (so checkpoint loading can report tensors nobody uses) and collects every missing
// name before failing, so one error lists them all.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "model/weight_lookup.h"
#include "quant/dtype.h"

namespace sdn::unet {

class WeightBinder {
public:
    WeightBinder(const WeightLookup& lookup, std::string prefix)
        : lookup_(lookup), prefix_(std::move(prefix)) {}

    bool has(const std::string& name) const { return lookup_(prefix_ + name) != nullptr; }
    // Looks without binding (no record, no missing note).
    const WeightRef* peek(const std::string& name) const { return lookup_(prefix_ + name); }
    // The weight, or an empty WeightRef (and the name noted as missing).
    WeightRef get(const std::string& name);
    // A shape fact that does not fit: recorded like a missing tensor, reported together.
    void problem(const std::string& message) { problems_.push_back(message); }
    // Throws Error(SDN_ERR_FORMAT) listing every missing name / problem.
    void throw_if_incomplete() const;

    const std::set<std::string>& used() const { return used_; }
    const std::vector<std::string>& problems() const { return problems_; }
    const std::string& prefix() const { return prefix_; }

private:
    const WeightLookup& lookup_;
    std::string prefix_;
    std::set<std::string> used_;
    std::vector<std::string> problems_;
};

struct Conv {
    WeightRef w, b;  // w [out, in, k, k]
    int64_t in = 0, out = 0, k = 0;
};
struct Linear {
    WeightRef w, b;  // w [out, in]; b absent for bias-free projections
    bool has_bias = false;
    int64_t in = 0, out = 0;
    // A LoRA side path (model/lora_side_path.h): y += (x·lora_downᵀ)·lora_upᵀ.
    bool has_lora = false;
    WeightRef lora_down, lora_up;  // [rank, in], [out, rank]
};
struct Norm {
    WeightRef gamma, beta;
    int64_t channels = 0;
};

// ResBlock: GN+SiLU, conv3x3, + emb projection, GN+SiLU, conv3x3, + skip (1x1 conv when the
// width changes).
struct ResBlock {
    Norm in_norm;
    Conv in_conv;
    Linear emb_proj;
    Norm out_norm;
    Conv out_conv;
    bool has_skip = false;
    Conv skip;
    int64_t in_ch = 0, out_ch = 0;
};

struct Attention {
    Linear q, k, v, out;
    int64_t heads = 0, head_dim = 0;
};

// LN -> self-attention, LN -> cross-attention, LN -> GEGLU feed-forward; residual each.
struct TransformerBlock {
    Norm norm1, norm2, norm3;
    Attention self_attn, cross_attn;
    Linear ff_in, ff_out;  // ff_in [2*ff, inner], ff_out [inner, ff]
};

struct SpatialTransformer {
    Norm norm;
    Linear proj_in, proj_out;  // 1x1 convs (SD1) viewed as linears over tokens
    std::vector<TransformerBlock> blocks;
    int64_t channels = 0, inner = 0;
};

// One entry of input_blocks / middle_block / output_blocks: an optional resnet, an optional
// spatial transformer, an optional down/upsampling conv (or the stem conv of input_blocks.0).
struct UnetBlock {
    std::string name;  // "input_blocks.4", "middle_block", ...
    bool has_stem = false, has_res = false, has_attn = false, has_down = false, has_up = false;
    bool has_res2 = false;  // the middle block's second resnet (after its transformer)
    Conv stem;
    ResBlock res;
    ResBlock res2;
    SpatialTransformer attn;
    Conv down;  // 3x3 stride 2
    Conv up;    // nearest x2 then 3x3
    int64_t out_ch = 0;
};

struct UnetConfig {
    int64_t in_channels = 4, out_channels = 4, model_channels = 320, time_embed_dim = 1280;
    int64_t context_dim = 768;
    int64_t adm_in_channels = 0;  // SDXL's label_emb input width; 0 = no label embedding
    int64_t num_heads = 8;       // SD1: fixed head count
    int64_t head_dim = 0;        // SD2: fixed head width (then num_heads is derived); 0 = unused
    int groups = 32;
    float resnet_eps = 1e-5f, transformer_norm_eps = 1e-6f, layer_norm_eps = 1e-5f;
};

struct UnetWeights {
    UnetConfig config;
    Linear time_in, time_out;  // time_embed.0, time_embed.2
    bool has_label_emb = false;
    Linear label_in, label_out;  // label_emb.0.0, label_emb.0.2 (SDXL's ADM vector)
    std::vector<UnetBlock> input_blocks;
    UnetBlock middle;
    std::vector<UnetBlock> output_blocks;
    Norm out_norm;
    Conv out_conv;
};

// Binds every UNet weight under binder's prefix, reading all widths and depths from shapes.
// num_heads / head_dim as config; the rest of config is filled from the weights.
UnetWeights bind_unet_weights(WeightBinder& binder, int64_t num_heads, int64_t head_dim);

// A [O, C, 1, 1] 1x1 conv weight viewed as an [O, C] linear weight (same bytes).
WeightRef as_linear_weight(const WeightRef& w);

}  // namespace sdn::unet
