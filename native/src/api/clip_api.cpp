// sdn_clip_encode / sdn_clip_tokenize / sdn_clip_free, and the factory the checkpoint loader
// uses to build sdn_clip handles.
#include <memory>

#include "api/clip_handle.h"
#include "api/guard.h"
#include "api/handles.h"
#include "model/clip_prompt_weights.h"

namespace sdn {

sdn_clip* make_clip_handle(const WeightLookup& lookup, std::shared_ptr<ClipTokenizer> tokenizer,
                           std::shared_ptr<void> keepalive, const std::string& prefix) {
    SDN_REQUIRE(tokenizer != nullptr, SDN_ERR_INVALID_ARGUMENT, "CLIP handle needs a tokenizer");
    auto model = std::make_shared<ClipTextModel>(lookup, prefix);
    SDN_REQUIRE(model->vocab_size() >= static_cast<int64_t>(tokenizer->vocab_size()),
                SDN_ERR_FORMAT,
                "CLIP text model has " + std::to_string(model->vocab_size()) +
                    " token embeddings but the tokenizer has " +
                    std::to_string(tokenizer->vocab_size()) + " tokens");
    std::unique_ptr<sdn_clip> h(new sdn_clip());
    h->encoder = std::make_shared<ClipEncoder>(std::move(tokenizer), std::move(model));
    h->keepalive = std::move(keepalive);
    return h.release();
}

}  // namespace sdn

using sdn::guarded;

extern "C" {

SDN_API void sdn_clip_free(sdn_clip* clip) { delete clip; }

SDN_API sdn_status sdn_clip_encode(sdn_context* ctx, sdn_clip* clip, const char* text,
                                   int32_t clip_skip, sdn_tensor** cond_out,
                                   sdn_tensor** pooled_out) {
    if (cond_out) *cond_out = nullptr;
    if (pooled_out) *pooled_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(clip);
        SDN_REQUIRE_ARG(text);
        SDN_REQUIRE_ARG(cond_out);
        SDN_REQUIRE(clip->encoder != nullptr, SDN_ERR_INVALID_ARGUMENT, "sdn_clip is empty");
        SDN_REQUIRE(clip_skip < 0 && clip_skip >= -24, SDN_ERR_INVALID_ARGUMENT,
                    "clip_skip must be -1 (last layer) down to -24");
        sdn::Context& c = ctx->impl;
        c.progress(SDN_STAGE_TEXT_ENCODE, 0, static_cast<int>(clip->encoder->model().layers()));
        const sdn::ReleasePagesAtExit release(clip->pages);
        sdn::ClipEncoder::Result r = clip->encoder->encode(c, text, clip_skip);
        std::unique_ptr<sdn_tensor> cond(sdn::new_tensor_handle(std::move(r.cond)));
        std::unique_ptr<sdn_tensor> pooled;
        if (pooled_out) pooled.reset(sdn::new_tensor_handle(std::move(r.pooled)));
        *cond_out = cond.release();
        if (pooled_out) *pooled_out = pooled.release();
    });
}

SDN_API sdn_status sdn_clip_tokenize(sdn_context* ctx, sdn_clip* clip, const char* text,
                                     sdn_tensor** ids_out, sdn_tensor** weights_out) {
    if (ids_out) *ids_out = nullptr;
    if (weights_out) *weights_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(clip);
        SDN_REQUIRE_ARG(text);
        SDN_REQUIRE(clip->encoder != nullptr, SDN_ERR_INVALID_ARGUMENT, "sdn_clip is empty");
        sdn::ClipTokenChunks chunks = clip->encoder->tokenize(text);
        if (ctx)
            for (const std::string& w : chunks.warnings) ctx->impl.log(SDN_LOG_WARN, "%s", w.c_str());
        const int64_t n = chunks.chunks, T = sdn::kClipChunkLength;
        std::unique_ptr<sdn_tensor> ids, weights;
        if (ids_out) {
            sdn::Tensor t({n, T});
            for (int64_t i = 0; i < n * T; ++i)
                t.data()[i] = static_cast<float>(chunks.ids[static_cast<size_t>(i)]);
            ids.reset(sdn::new_tensor_handle(std::move(t)));
        }
        if (weights_out) {
            sdn::Tensor t({n, T});
            for (int64_t i = 0; i < n * T; ++i) t.data()[i] = chunks.weights[static_cast<size_t>(i)];
            weights.reset(sdn::new_tensor_handle(std::move(t)));
        }
        if (ids_out) *ids_out = ids.release();
        if (weights_out) *weights_out = weights.release();
    });
}

}  // extern "C"
