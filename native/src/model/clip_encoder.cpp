#include "model/clip_encoder.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

namespace sdn {

ClipEncoder::ClipEncoder(std::shared_ptr<const ClipTokenizer> tokenizer,
                         std::shared_ptr<const ClipTextModel> model)
    : ClipEncoder(std::move(tokenizer), std::vector<std::shared_ptr<const ClipTextModel>>{std::move(model)}) {}

ClipEncoder::ClipEncoder(std::shared_ptr<const ClipTokenizer> tokenizer,
                         std::vector<std::shared_ptr<const ClipTextModel>> models)
    : tokenizer_(std::move(tokenizer)), models_(std::move(models)) {
    SDN_REQUIRE(tokenizer_ && !models_.empty(), SDN_ERR_INVALID_ARGUMENT,
                "CLIP encoder needs a tokenizer and a text model");
    for (const auto& m : models_)
        SDN_REQUIRE(m != nullptr, SDN_ERR_INVALID_ARGUMENT, "CLIP encoder given an empty text model");
}

int64_t ClipEncoder::total_layers() const {
    int64_t n = 0;
    for (const auto& m : models_) n += m->layers();
    return n;
}

int64_t ClipEncoder::width() const {
    int64_t n = 0;
    for (const auto& m : models_) n += m->width();
    return n;
}

ClipEncoder::Result ClipEncoder::encode(Context& ctx, const std::string& text, int clip_skip) const {
    return encode_each(ctx, std::vector<std::string>(models_.size(), text), clip_skip);
}

ClipEncoder::Result ClipEncoder::encode_each(Context& ctx, const std::vector<std::string>& texts,
                                             int clip_skip) const {
    SDN_REQUIRE(texts.size() == models_.size(), SDN_ERR_INVALID_ARGUMENT,
                "CLIP encoder has " + std::to_string(models_.size()) + " text model(s) but was given " +
                    std::to_string(texts.size()) + " text(s)");
    const int32_t end = tokenizer_->end_id();
    std::vector<ClipTokenChunks> chunks;
    int64_t most = 0;
    for (size_t i = 0; i < models_.size(); ++i) {
        chunks.push_back(tokenize_clip_prompt(*tokenizer_, texts[i], models_[i]->pad_id(end)));
        for (const std::string& w : chunks.back().warnings) ctx.log(SDN_LOG_WARN, "%s", w.c_str());
        most = std::max(most, chunks.back().chunks);
    }
    for (size_t i = 0; i < models_.size(); ++i) {
        ClipTokenChunks& c = chunks[i];
        if (c.chunks == most) continue;
        const ClipTokenChunks empty = tokenize_clip_prompt(*tokenizer_, "", models_[i]->pad_id(end));
        for (; c.chunks < most; ++c.chunks) {
            c.ids.insert(c.ids.end(), empty.ids.begin(), empty.ids.end());
            c.weights.insert(c.weights.end(), empty.weights.begin(), empty.weights.end());
        }
    }
    if (models_.size() == 1) return encode_chunks(ctx, *models_[0], chunks[0], clip_skip);

    const int64_t T = most * kClipChunkLength;
    Result joined;
    joined.cond.reset({1, T, width()});
    int64_t column = 0;
    for (size_t i = 0; i < models_.size(); ++i) {
        Result r = encode_chunks(ctx, *models_[i], chunks[i], clip_skip);
        const int64_t D = r.cond.dim(2);
        for (int64_t t = 0; t < T; ++t)
            std::memcpy(joined.cond.data() + t * width() + column, r.cond.data() + t * D,
                        static_cast<size_t>(D) * sizeof(float));
        column += D;
        joined.pooled = std::move(r.pooled);
    }
    return joined;
}

ClipEncoder::Result ClipEncoder::encode_chunks(Context& ctx, const ClipTextModel& model,
                                               const ClipTokenChunks& chunks, int clip_skip) const {
    const int64_t T = kClipChunkLength, D = model.width();
    const bool weighted = chunks.has_weights();

    std::vector<int32_t> ids = chunks.ids;
    int64_t n = chunks.chunks;
    if (weighted) {
        // The "empty" sequence: start, end, then padding.
        ids.push_back(tokenizer_->start_id());
        ids.push_back(tokenizer_->end_id());
        ids.insert(ids.end(), static_cast<size_t>(T - 2), model.pad_id(tokenizer_->end_id()));
        ++n;
    }
    ClipTextModel::Output out = model.forward(ctx, ids, n, T, clip_skip, tokenizer_->end_id());

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
    const int64_t P = out.pooled.dim(1);
    r.pooled.reset({1, P});
    std::memcpy(r.pooled.data(), out.pooled.data(), static_cast<size_t>(P) * sizeof(float));
    return r;
}

}  // namespace sdn
