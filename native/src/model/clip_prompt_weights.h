// ComfyUI's prompt weighting and chunking for CLIP text encoders (comfy/sd1_clip.py):
//   - "\(" and "\)" are literal parentheses;
//   - "( ... )" multiplies the weight by 1.1 per nesting level;
//   - "(text:1.3)" sets it to exactly 1.3 when the text after the LAST colon (which must
//     not be the group's first character) parses as a Python float; inner groups multiply
//     from it; otherwise the colon stays in the text and the group is an ordinary x1.1;
//   - unbalanced parentheses are literal; after a stray top-level ")" every later
//     parenthesis is literal too; square brackets have no meaning.
// Each weighted segment is then cut at " embedding:" / "\nembedding:"; such words name a
// textual inversion, which this engine does not load: like ComfyUI with a missing file the
// name is dropped (with a warning) and any text after it is kept.
// Chunks are [start] + up to 75 tokens + [end], padded to 77 tokens with pad_id (the end
// token when negative, as for CLIP-L; OpenCLIP encoders pad with 0); a
// word of 8+ tokens may be split across chunks, a shorter one moves whole to the next chunk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sdn {

class ClipTokenizer;

struct WeightedSegment {
    std::string text;  // escapes already resolved
    double weight;
};

// The weighted segments of a prompt, in order (ComfyUI's token_weights).
std::vector<WeightedSegment> parse_prompt_weights(const std::string& prompt);

// Python float() acceptance: surrounding whitespace, sign, digits with single underscores
// between them, decimal point, exponent, inf/infinity/nan. Returns false if not a float.
bool parse_python_float(const std::string& text, double* value);

inline constexpr int kClipChunkLength = 77;

struct ClipTokenChunks {
    int64_t chunks = 0;
    std::vector<int32_t> ids;    // [chunks, 77]
    std::vector<float> weights;  // [chunks, 77]
    std::vector<std::string> warnings;  // e.g. ignored embedding names
    bool has_weights() const;    // some weight != 1
};

ClipTokenChunks tokenize_clip_prompt(const ClipTokenizer& tokenizer, const std::string& prompt,
                                     int32_t pad_id = -1);

}  // namespace sdn
