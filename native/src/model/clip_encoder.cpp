#include "model/clip_encoder.h"

#include <cstring>

#include "core/error.h"

namespace sdn {

ClipEncoder::ClipEncoder(std::shared_ptr<const ClipTokenizer> tokenizer,
                         std::shared_ptr<const ClipTextModel> model)
    : tokenizer_(std::move(tokenizer)), model_(std::move(model)) {
    SDN_REQUIRE(tokenizer_ && model_, SDN_ERR_INVALID_ARGUMENT,
                "CLIP encoder needs a tokenizer and a text model");
}

ClipEncoder::Result ClipEncoder::encode(Context& ctx, const std::string& text,
                                        int clip_skip) const {
    const ClipTokenChunks chunks = tokenize_clip_prompt(*tokenizer_, text);
    for (const std::string& w : chunks.warnings) ctx.log(SDN_LOG_WARN, "%s", w.c_str());
    const int64_t T = kClipChunkLength, D = model_->width();
    const bool weighted = chunks.has_weights();

    std::vector<int32_t> ids = chunks.ids;
    int64_t n = chunks.chunks;
    if (weighted) {
        // The "empty" sequence: start, end, then end-token padding.
        ids.push_back(tokenizer_->start_id());
        ids.insert(ids.end(), static_cast<size_t>(T - 1), tokenizer_->end_id());
        ++n;
    }
    ClipTextModel::Output out = model_->forward(ctx, ids, n, T, clip_skip, tokenizer_->end_id());

    Result r;
    r.cond.reset({1, chunks.chunks * T, D});
    std::memcpy(r.cond.data(), out.hidden.data(),
                static_cast<size_t>(chunks.chunks * T * D) * sizeof(float));
    if (weighted) {
        const float* empty = out.hidden.data() + (n - 1) * T * D;
        for (int64_t c = 0; c < chunks.chunks; ++c) {
            for (int64_t t = 0; t < T; ++t) {
                const float w = chunks.weights[static_cast<size_t>(c * T + t)];
                if (w == 1.0f) continue;
                float* z = r.cond.data() + (c * T + t) * D;
                const float* e = empty + t * D;
                for (int64_t d = 0; d < D; ++d) z[d] = (z[d] - e[d]) * w + e[d];
            }
        }
    }
    r.pooled.reset({1, D});
    std::memcpy(r.pooled.data(), out.pooled.data(), static_cast<size_t>(D) * sizeof(float));
    return r;
}

}  // namespace sdn
