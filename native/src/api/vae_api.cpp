// sdn_vae_* entry points and sdn_tiling_init.
#include <memory>

#include "guard.h"
#include "io/model_file.h"
#include "model/vae_diffusers_names.h"
#include "vae_handle.h"

using namespace sdn;

namespace sdn {

sdn_vae* make_vae_handle(const WeightLookup& lookup, const std::string& prefix,
                         std::shared_ptr<void> keepalive) {
    std::shared_ptr<Vae> model = Vae::load(lookup, prefix);
    auto* h = new sdn_vae();
    h->vae = std::move(model);
    h->keepalive = std::move(keepalive);
    return h;
}

std::string vae_prefix_of(const WeightLookup& lookup, bool* found) {
    for (const char* prefix : {"first_stage_model.", ""}) {
        const std::string p = prefix;
        if (lookup(p + "decoder.conv_in.weight") || lookup(p + "encoder.conv_in.weight")) {
            if (found) *found = true;
            return p;
        }
    }
    if (found) *found = false;
    return "";
}

}  // namespace sdn

namespace {

// The tiling a call asked for, or nullptr for a whole-image pass.
const VaeTiling* read_tiling(const sdn_tiling_t* tiling, VaeTiling& storage) {
    if (!tiling) return nullptr;
    SDN_REQUIRE(tiling->struct_size == sizeof(sdn_tiling_t), SDN_ERR_INVALID_ARGUMENT,
                "sdn_tiling_t.struct_size mismatch (use sdn_tiling_init)");
    if (!tiling->enabled) return nullptr;
    storage.tile_size = tiling->tile_size;
    storage.overlap = tiling->overlap;
    return &storage;
}

}  // namespace

extern "C" {

SDN_API void sdn_tiling_init(sdn_tiling_t* tiling) {
    if (!tiling) return;
    *tiling = sdn_tiling_t{};
    tiling->struct_size = sizeof(*tiling);
    tiling->enabled = 0;
    tiling->tile_size = 512;  // the VAEEncodeTiled / VAEDecodeTiled defaults
    tiling->overlap = 64;
}

SDN_API sdn_status sdn_vae_load(sdn_context* ctx, const char* path, sdn_vae** out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(out);
        *out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(path);
        ctx->impl.progress(SDN_STAGE_LOAD, 0, 1);
        std::shared_ptr<ModelFile> file = ModelFile::open(path);
        ModelFile* raw = file.get();
        WeightLookup lookup = [raw](const std::string& name) -> const WeightRef* {
            const TensorEntry* e = raw->find(name);
            return e ? &e->ref : nullptr;
        };
        bool found = false;
        std::string prefix;
        std::string layout;
        // diffusers' AutoencoderKL files (which also have decoder.conv_in) use other names
        // for everything else; serve the LDM names out of them.
        for (const char* p : {"", "vae."}) {
            if (found || !vae::is_diffusers_vae(lookup, p)) continue;
            lookup = vae::diffusers_vae_lookup(lookup, p, "");
            layout = " (diffusers layout)";
            found = true;
        }
        if (!found) prefix = vae_prefix_of(lookup, &found);
        SDN_REQUIRE(found, SDN_ERR_FORMAT,
                    std::string(path) + " holds no VAE (no decoder.conv_in.weight, "
                                        "first_stage_model.decoder.conv_in.weight or "
                                        "decoder.up_blocks.0 tensors)");
        try {
            *out = make_vae_handle(lookup, prefix, file);
        } catch (const Error& e) {
            fail(e.status(), std::string(path) + layout + ": " + e.what());
        }
        ctx->impl.progress(SDN_STAGE_LOAD, 1, 1);
    });
}

SDN_API void sdn_vae_free(sdn_vae* vae) { delete vae; }

SDN_API sdn_status sdn_vae_encode(sdn_context* ctx, sdn_vae* vae, const sdn_tensor* image,
                                  const sdn_tiling_t* tiling, sdn_tensor** latent_out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(latent_out);
        *latent_out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(vae);
        SDN_REQUIRE_ARG(image);
        if (vae->taesd) {
            const TaesdVae& t = *vae->taesd;
            *latent_out = new_tensor_handle(t.encoder->encode(ctx->impl, image->impl, t.latent_scale));
            return;
        }
        SDN_REQUIRE(vae->vae != nullptr, SDN_ERR_INVALID_ARGUMENT, "vae has no model");
        VaeTiling storage;
        const VaeTiling* t = read_tiling(tiling, storage);
        const ReleasePagesAtExit release(vae->pages);
        *latent_out = new_tensor_handle(vae->vae->encode(ctx->impl, image->impl, t));
    });
}

SDN_API sdn_status sdn_vae_decode(sdn_context* ctx, sdn_vae* vae, const sdn_tensor* latent,
                                  const sdn_tiling_t* tiling, sdn_tensor** image_out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(image_out);
        *image_out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(vae);
        SDN_REQUIRE_ARG(latent);
        if (vae->taesd) {
            const TaesdVae& t = *vae->taesd;
            *image_out = new_tensor_handle(t.decoder->decode(ctx->impl, latent->impl, t.latent_scale));
            return;
        }
        SDN_REQUIRE(vae->vae != nullptr, SDN_ERR_INVALID_ARGUMENT, "vae has no model");
        VaeTiling storage;
        const VaeTiling* t = read_tiling(tiling, storage);
        const ReleasePagesAtExit release(vae->pages);
        *image_out = new_tensor_handle(vae->vae->decode(ctx->impl, latent->impl, t));
    });
}

}  // extern "C"
