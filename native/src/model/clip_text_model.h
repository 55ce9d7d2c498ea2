// The CLIP ViT-L/14 text transformer of SD1.x checkpoints (pre-LayerNorm blocks, causal
// self-attention with 64-wide heads, quick_gelu MLP, LayerNorm eps 1e-5), read by name from
// a WeightLookup under a prefix (SD1 checkpoints: "cond_stage_model.transformer.text_model.").
// Widths, head count (width / 64), layer count, vocabulary and position count come from the
// weights, so tiny test models work too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/tensor.h"
#include "model/weight_lookup.h"

namespace sdn {

inline constexpr const char* kSd1ClipPrefix = "cond_stage_model.transformer.text_model.";

class ClipTextModel {
public:
    // Throws Error(SDN_ERR_FORMAT) naming missing tensors or shapes that do not fit. The
    // WeightRefs the lookup returns must outlive the model.
    ClipTextModel(const WeightLookup& lookup, const std::string& prefix = kSd1ClipPrefix);

    struct Output {
        Tensor hidden;  // [n, T, width]: the selected layer's output, final LayerNorm applied
        Tensor pooled;  // [n, width]: last layer + final LayerNorm at each row's first end id
    };

    // ids: n sequences of T tokens (T <= max_positions). clip_skip follows CLIPSetLastLayer:
    // -1 = last layer, -2 = the one before, ...; values below -layers mean the last layer,
    // as ComfyUI does; 0 or positive is an invalid argument. Reports progress per layer with
    // SDN_STAGE_TEXT_ENCODE and stops with Error(SDN_ERR_CANCELLED) when cancelled.
    Output forward(Context& ctx, const std::vector<int32_t>& ids, int64_t n, int64_t T,
                   int clip_skip, int32_t end_id) const;

    int64_t width() const { return width_; }
    int64_t layers() const { return static_cast<int64_t>(layers_.size()); }
    int64_t heads() const { return width_ / kHeadDim; }
    int64_t vocab_size() const { return vocab_; }
    int64_t max_positions() const { return positions_; }

    static constexpr int64_t kHeadDim = 64;
    static constexpr float kLayerNormEps = 1e-5f;

private:
    struct Linear {
        const WeightRef* w = nullptr;
        const WeightRef* b = nullptr;
    };
    struct Norm {
        const WeightRef* gamma = nullptr;
        const WeightRef* beta = nullptr;
    };
    struct Layer {
        Norm ln1, ln2;
        Linear q, k, v, out, fc1, fc2;
    };

    const WeightRef* token_embedding_ = nullptr;
    const WeightRef* position_embedding_ = nullptr;
    std::vector<Layer> layers_;
    Norm final_norm_;
    std::vector<const WeightRef*> resident_;  // every weight, made resident per backend
    // Lives as long as this model: backends drop their resident copies once it expires.
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
    int64_t width_ = 0, mlp_width_ = 0, vocab_ = 0, positions_ = 0;
};

}  // namespace sdn
