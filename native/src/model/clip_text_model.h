// The CLIP text transformers of Stable Diffusion (pre-LayerNorm blocks, causal self-attention
// with 64-wide heads, LayerNorm eps 1e-5), read by name from a WeightLookup under a prefix:
//   - CLIP ViT-L/14 (SD1.x; SDXL's first embedder): transformers names, quick_gelu MLP;
//   - OpenCLIP ViT-H/14 (SD2.x) and ViT-bigG/14 (SDXL): OpenCLIP names (transformer.resblocks.N
//     with one fused attn.in_proj for q, k and v, ln_final, positional_embedding), GELU MLP,
//     and for bigG a text_projection applied to the pooled output. Text-encoder files carry
//     them in transformers names too (separate q/k/v, text_projection.weight as a Linear):
//     the spec's naming and activation are independent.
// Widths, head count (width / 64), layer count, vocabulary and position count come from the
// weights, so tiny test models work too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/context.h"
#include "core/tensor.h"
#include "model/weight_lookup.h"

namespace sdn {

inline constexpr const char* kSd1ClipPrefix = "cond_stage_model.transformer.text_model.";

// How one text encoder is named and run; the defaults are SD1's CLIP-L.
struct ClipTextSpec {
    std::string prefix = kSd1ClipPrefix;
    bool open_clip_names = false;  // OpenCLIP layout (fused in_proj, resblocks, ln_final)
    Activation activation = Activation::QuickGelu;  // OpenCLIP H and bigG: GeluErf
    // ComfyUI's layer_norm_hidden_state: the final LayerNorm is applied to a hidden layer
    // taken before the last (SD1, SD2); SDXL's encoders take it raw.
    bool norm_hidden = true;
    // The layer CLIPTextEncode uses when no CLIPSetLastLayer chose one: -1 for SD1's CLIP-L,
    // -2 (penultimate) for SD2's ViT-H and both SDXL encoders.
    int default_layer = -1;
    // Token that fills a chunk after its end token: the end token itself (pad_with_end, SD1
    // and SDXL's CLIP-L) or 0 (OpenCLIP H and bigG).
    bool pad_with_end = true;
};

class ClipTextModel {
public:
    // Throws Error(SDN_ERR_FORMAT) naming missing tensors or shapes that do not fit. The
    // WeightRefs the lookup returns must outlive the model.
    ClipTextModel(const WeightLookup& lookup, const std::string& prefix = kSd1ClipPrefix);
    ClipTextModel(const WeightLookup& lookup, const ClipTextSpec& spec);

    struct Output {
        Tensor hidden;  // [n, T, width]: the selected layer's output (final LayerNorm as the
                        // spec says: always for the last layer, else when norm_hidden)
        Tensor pooled;  // [n, width or projection width]: last layer + final LayerNorm at each
                        // row's first end id, times text_projection when the model has one
    };

    // ids: n sequences of T tokens (T <= max_positions). clip_skip follows CLIPSetLastLayer:
    // -1 = last layer, -2 = the one before, ...; values below -layers mean the last layer,
    // as ComfyUI does; 0 means the spec's default layer; positive is an invalid argument.
    // Reports progress per layer with SDN_STAGE_TEXT_ENCODE and stops with
    // Error(SDN_ERR_CANCELLED) when cancelled.
    Output forward(Context& ctx, const std::vector<int32_t>& ids, int64_t n, int64_t T,
                   int clip_skip, int32_t end_id) const;

    int64_t width() const { return width_; }
    int64_t layers() const { return static_cast<int64_t>(layers_.size()); }
    int64_t heads() const { return width_ / kHeadDim; }
    int64_t vocab_size() const { return vocab_; }
    int64_t max_positions() const { return positions_; }
    const ClipTextSpec& spec() const { return spec_; }
    // The id that pads a chunk after its end token.
    int32_t pad_id(int32_t end_id) const { return spec_.pad_with_end ? end_id : 0; }
    // Width of the pooled output (the projection's when there is one).
    int64_t pooled_width() const;

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
        Linear qkv;  // OpenCLIP: one [3 * width, width] projection, q, k, v in that order
        Linear q, k, v, out, fc1, fc2;
    };

    void find_projection(const WeightLookup& lookup);
    void project_pooled(Tensor& pooled) const;

    const WeightRef* token_embedding_ = nullptr;
    const WeightRef* position_embedding_ = nullptr;
    std::vector<Layer> layers_;
    Norm final_norm_;
    // OpenCLIP's text_projection [width, out]: pooled = x * P; or, in transformers files, the
    // Linear weight text_projection.weight [out, width]: pooled = x * W^T.
    const WeightRef* projection_ = nullptr;
    bool projection_is_linear_ = false;
    ClipTextSpec spec_;
    std::vector<const WeightRef*> resident_;  // every weight, made resident per backend
    // Lives as long as this model: backends drop their resident copies once it expires.
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
    int64_t width_ = 0, mlp_width_ = 0, vocab_ = 0, positions_ = 0;
};

}  // namespace sdn
