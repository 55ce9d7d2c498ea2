// CLIPTextEncode for SD1.x: tokenizer + prompt weighting + chunking + text transformer.
// Output follows ComfyUI: cond [1, 77 * chunks, width] (chunk outputs concatenated along the
// token axis), pooled [1, width] from the first chunk. When some token weight is not 1 an
// "empty" sequence (start, end, end...) is encoded in the same batch and each weighted token
// becomes z = (z - z_empty) * w + z_empty, position by position (no mean re-normalisation).
#pragma once

#include <memory>
#include <string>

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

    struct Result {
        Tensor cond;    // [1, 77 * chunks, width]
        Tensor pooled;  // [1, width]
    };
    Result encode(Context& ctx, const std::string& text, int clip_skip) const;

    ClipTokenChunks tokenize(const std::string& text) const {
        return tokenize_clip_prompt(*tokenizer_, text);
    }
    const ClipTokenizer& tokenizer() const { return *tokenizer_; }
    const ClipTextModel& model() const { return *model_; }

private:
    std::shared_ptr<const ClipTokenizer> tokenizer_;
    std::shared_ptr<const ClipTextModel> model_;
};

}  // namespace sdn
