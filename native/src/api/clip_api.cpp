// sdn_clip_encode / sdn_clip_tokenize / sdn_clip_free, and the factory the checkpoint loader
// uses to build sdn_clip handles.
#include <memory>
#include <string>
#include <vector>

#include "api/clip_handle.h"
#include "api/guard.h"
#include "api/handles.h"
#include "model/clip_prompt_weights.h"

namespace sdn {

sdn_clip* make_clip_handle(const WeightLookup& lookup, std::shared_ptr<ClipTokenizer> tokenizer,
                           std::shared_ptr<void> keepalive, const std::string& prefix) {
    return make_clip_handle(lookup, std::move(tokenizer), std::move(keepalive),
                            std::vector<ClipTextSpec>{ClipTextSpec{prefix}});
}

sdn_clip* make_clip_handle(const WeightLookup& lookup, std::shared_ptr<ClipTokenizer> tokenizer,
                           std::shared_ptr<void> keepalive, const std::vector<ClipTextSpec>& specs) {
    SDN_REQUIRE(tokenizer != nullptr, SDN_ERR_INVALID_ARGUMENT, "CLIP handle needs a tokenizer");
    SDN_REQUIRE(!specs.empty(), SDN_ERR_INVALID_ARGUMENT, "CLIP handle needs a text encoder");
    std::vector<std::shared_ptr<const ClipTextModel>> models;
    for (const ClipTextSpec& spec : specs) {
        auto model = std::make_shared<ClipTextModel>(lookup, spec);
        SDN_REQUIRE(model->vocab_size() >= static_cast<int64_t>(tokenizer->vocab_size()),
                    SDN_ERR_FORMAT,
                    "CLIP text model under " + spec.prefix + " has " +
                        std::to_string(model->vocab_size()) +
                        " token embeddings but the tokenizer has " +
                        std::to_string(tokenizer->vocab_size()) + " tokens");
        models.push_back(std::move(model));
    }
    std::unique_ptr<sdn_clip> h(new sdn_clip());
    h->encoder = std::make_shared<ClipEncoder>(std::move(tokenizer), std::move(models));
    h->keepalive = std::move(keepalive);
    return h.release();
}

}  // namespace sdn

using sdn::guarded;

extern "C" {

SDN_API void sdn_clip_free(sdn_clip* clip) { delete clip; }

}  // extern "C"

namespace {

// The body both encode calls share: argument checks, progress, then texts (one per encoder,
// or one for all when a single text is given) through the encoder.
sdn_status encode_texts(sdn_context* ctx, sdn_clip* clip, const std::vector<const char*>& texts,
                        bool per_encoder, int32_t clip_skip, sdn_tensor** cond_out,
                        sdn_tensor** pooled_out) {
    if (cond_out) *cond_out = nullptr;
    if (pooled_out) *pooled_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(clip);
        for (const char* t : texts) SDN_REQUIRE(t != nullptr, SDN_ERR_INVALID_ARGUMENT, "text must not be NULL");
        SDN_REQUIRE_ARG(cond_out);
        SDN_REQUIRE(clip->encoder != nullptr, SDN_ERR_INVALID_ARGUMENT, "sdn_clip is empty");
        SDN_REQUIRE(clip_skip <= 0 && clip_skip >= -24, SDN_ERR_INVALID_ARGUMENT,
                    "clip_skip must be -1 (last layer) down to -24, or 0 for the model's default");
        const sdn::ClipEncoder& encoder = *clip->encoder;
        SDN_REQUIRE(!per_encoder || encoder.models().size() == texts.size(), SDN_ERR_INVALID_ARGUMENT,
                    "this CLIP has " + std::to_string(encoder.models().size()) +
                        " text encoder(s); CLIPTextEncodeSDXL needs SDXL's two (CLIP-L and bigG)");
        sdn::Context& c = ctx->impl;
        c.progress(SDN_STAGE_TEXT_ENCODE, 0, static_cast<int>(encoder.model().layers()));
        const sdn::ReleasePagesAtExit release(clip->pages);
        std::vector<std::string> each;
        for (size_t i = 0; i < encoder.models().size(); ++i) each.emplace_back(texts[per_encoder ? i : 0]);
        sdn::ClipEncoder::Result r = encoder.encode_each(c, each, clip_skip);
        std::unique_ptr<sdn_tensor> cond(sdn::new_tensor_handle(std::move(r.cond)));
        std::unique_ptr<sdn_tensor> pooled;
        if (pooled_out) pooled.reset(sdn::new_tensor_handle(std::move(r.pooled)));
        *cond_out = cond.release();
        if (pooled_out) *pooled_out = pooled.release();
    });
}

}  // namespace

extern "C" {

SDN_API sdn_status sdn_clip_encode(sdn_context* ctx, sdn_clip* clip, const char* text,
                                   int32_t clip_skip, sdn_tensor** cond_out,
                                   sdn_tensor** pooled_out) {
    return encode_texts(ctx, clip, {text}, false, clip_skip, cond_out, pooled_out);
}

SDN_API sdn_status sdn_clip_encode_sdxl(sdn_context* ctx, sdn_clip* clip, const char* text_l,
                                        const char* text_g, int32_t clip_skip,
                                        sdn_tensor** cond_out, sdn_tensor** pooled_out) {
    return encode_texts(ctx, clip, {text_l, text_g}, true, clip_skip, cond_out, pooled_out);
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
