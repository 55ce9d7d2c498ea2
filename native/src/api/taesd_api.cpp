// sdn_taesd_* entry points, sdn_context_set_preview_decoder, sdn_vae_load_taesd and
// sdn_make_test_taesd.
#include <cmath>
#include <memory>
#include <string>

#include "guard.h"
#include "io/model_file.h"
#include "model/taesd_test_writer.h"
#include "taesd_handle.h"
#include "vae_handle.h"

using namespace sdn;

namespace {

// A model file and a lookup of its tensors by name (the lookup refers to the file).
struct OpenedFile {
    std::shared_ptr<ModelFile> file;
    WeightLookup lookup;
};

OpenedFile open_file(const char* path) {
    OpenedFile f;
    f.file = ModelFile::open(path);
    ModelFile* raw = f.file.get();
    f.lookup = [raw](const std::string& name) -> const WeightRef* {
        const TensorEntry* e = raw->find(name);
        return e ? &e->ref : nullptr;
    };
    return f;
}

// The prefix under which `present` finds the network in f: "" or the combined file's one.
template <typename Network>
std::string network_prefix(const OpenedFile& f, const char* path, const std::string& combined,
                           const char* what, const char* first, const char* last) {
    for (const std::string& p : {std::string(), combined})
        if (Network::present(f.lookup, p)) return p;
    fail(SDN_ERR_FORMAT, std::string(path) + " holds no TAESD " + what + " (no " + first + " and " +
                             last + ", nor " + combined + first + " and " + combined + last + ")");
}

template <typename Network>
std::shared_ptr<const Network> load_network(const char* path, const std::string& combined, const char* what,
                                            const char* first, const char* last) {
    OpenedFile f = open_file(path);
    const std::string prefix = network_prefix<Network>(f, path, combined, what, first, last);
    try {
        return Network::load(f.lookup, prefix, f.file);
    } catch (const Error& e) {
        fail(e.status(), std::string(path) + " (TAESD " + what + "): " + e.what());
    }
}

}  // namespace

extern "C" {

SDN_API sdn_status sdn_taesd_load(sdn_context* ctx, const char* path, sdn_taesd** out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(out);
        *out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(path);
        auto h = std::make_unique<sdn_taesd>();
        h->decoder = load_network<TaesdDecoder>(path, "taesd_decoder.", "decoder", "1.weight", "19.weight");
        *out = h.release();
    });
}

SDN_API void sdn_taesd_free(sdn_taesd* taesd) { delete taesd; }

SDN_API sdn_status sdn_taesd_decode(sdn_context* ctx, sdn_taesd* taesd, const sdn_tensor* latent,
                                    float latent_scale, sdn_tensor** image_out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(image_out);
        *image_out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE(taesd != nullptr && taesd->decoder != nullptr, SDN_ERR_INVALID_ARGUMENT,
                    "taesd must not be NULL");
        SDN_REQUIRE_ARG(latent);
        *image_out = new_tensor_handle(taesd->decoder->decode(ctx->impl, latent->impl, latent_scale));
    });
}

SDN_API sdn_status sdn_vae_load_taesd(sdn_context* ctx, const char* encoder_path,
                                      const char* decoder_path, float latent_scale, sdn_vae** out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(out);
        *out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(encoder_path);
        SDN_REQUIRE_ARG(decoder_path);
        SDN_REQUIRE(std::isfinite(latent_scale) && latent_scale > 0.0f, SDN_ERR_INVALID_ARGUMENT,
                    "latent_scale must be a positive number");
        auto t = std::make_shared<TaesdVae>();
        t->encoder = load_network<TaesdEncoder>(encoder_path, "taesd_encoder.", "encoder", "0.weight", "14.weight");
        t->decoder = load_network<TaesdDecoder>(decoder_path, "taesd_decoder.", "decoder", "1.weight", "19.weight");
        t->latent_scale = latent_scale;
        SDN_REQUIRE(t->encoder->latent_channels() == t->decoder->latent_channels(), SDN_ERR_FORMAT,
                    std::string(encoder_path) + " encodes " + std::to_string(t->encoder->latent_channels()) +
                        " latent channels but " + decoder_path + " decodes " +
                        std::to_string(t->decoder->latent_channels()));
        auto h = std::make_unique<sdn_vae>();
        h->taesd = std::move(t);
        *out = h.release();
    });
}

SDN_API void sdn_context_set_preview_decoder(sdn_context* ctx, const sdn_taesd* taesd) {
    if (!ctx) return;
    ctx->impl.set_preview_decoder(taesd ? taesd->decoder : nullptr);
}

SDN_API sdn_status sdn_make_test_taesd(sdn_context* ctx, const char* path, const char* part,
                                       int32_t width, uint64_t seed) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(path);
        SDN_REQUIRE_ARG(part);
        SDN_REQUIRE(width >= 4 && width <= 256, SDN_ERR_INVALID_ARGUMENT,
                    "TAESD test width must be 4..256, not " + std::to_string(width));
        const std::string p = path, which = part;
        SDN_REQUIRE(p.size() > 12 && p.compare(p.size() - 12, 12, ".safetensors") == 0,
                    SDN_ERR_INVALID_ARGUMENT, "TAESD test file path must end in .safetensors");
        SDN_REQUIRE(which == "decoder" || which == "encoder", SDN_ERR_INVALID_ARGUMENT,
                    "TAESD test part must be decoder or encoder, not '" + which + "'");
        write_safetensors(p, which == "decoder" ? make_test_taesd_tensors(width, 4, seed)
                                                : make_test_taesd_encoder_tensors(width, 4, seed),
                          DType::F32);
    });
}

}  // extern "C"
