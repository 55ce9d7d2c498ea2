// CLIPTextEncode: tokenizer + prompt weighting + chunking + one or two text transformers.
// Output follows ComfyUI: cond [1, 77 * chunks, width] (chunk outputs concatenated along the
// token axis), pooled [1, width] from the first chunk. When some token weight is not 1 an
// "empty" sequence (start, end, padding) is encoded in the same batch and each weighted token
// becomes z = (z - z_empty) * w + z_empty, position by position (no mean re-normalisation).
// SDXL has two encoders (CLIP-L, then OpenCLIP bigG): each encodes its own token chunks, the
// outputs are joined along the width (L first) and the pooled output is the last encoder's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/tensor.h"
#include "model/clip_prompt_weights.h"
#include "model/clip_text_model.h"
#include "model/clip_tokenizer.h"

namespace sdn {

class ClipEncoder {
public:
    ClipEncoder(std::shared_ptr<const ClipTokenizer> tokenizer,
                std::shared_ptr<const ClipTextModel> model);
    // models: every encoder in the order their outputs are joined (SDXL: CLIP-L, bigG).
    ClipEncoder(std::shared_ptr<const ClipTokenizer> tokenizer,
                std::vector<std::shared_ptr<const ClipTextModel>> models);

    struct Result {
        Tensor cond;    // [1, 77 * chunks, width]
        Tensor pooled;  // [1, width]
    };
    // The same text for every encoder (CLIPTextEncode).
    Result encode(Context& ctx, const std::string& text, int clip_skip) const;
    // One text per encoder, in model order (CLIPTextEncodeSDXL: text_l, text_g). The shorter
    // token lists are padded with the empty prompt's chunks to the longest, as ComfyUI does.
    Result encode_each(Context& ctx, const std::vector<std::string>& texts, int clip_skip) const;

    // The chunks of the first encoder.
    ClipTokenChunks tokenize(const std::string& text) const {
        return tokenize_clip_prompt(*tokenizer_, text, models_.front()->pad_id(tokenizer_->end_id()));
    }
    const ClipTokenizer& tokenizer() const { return *tokenizer_; }
    const ClipTextModel& model() const { return *models_.front(); }
    const std::vector<std::shared_ptr<const ClipTextModel>>& models() const { return models_; }
    // Layers of every encoder together (for progress).
    int64_t total_layers() const;
    // Width of the joined conditioning.
    int64_t width() const;

private:
    Result encode_chunks(Context& ctx, const ClipTextModel& model, const ClipTokenChunks& chunks,
                         int clip_skip) const;

    std::shared_ptr<const ClipTokenizer> tokenizer_;
    std::vector<std::shared_ptr<const ClipTextModel>> models_;
};

}  // namespace sdn
