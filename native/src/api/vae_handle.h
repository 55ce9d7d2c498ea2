// The struct behind sdn_vae: a loaded KL autoencoder plus whatever keeps its weights alive
// (usually the memory-mapped model file they point into).
#pragma once

#include <memory>
#include <string>

#include "core/live_objects.h"
#include "model/taesd_decoder.h"
#include "model/taesd_encoder.h"
#include "model/vae_model.h"
#include "model/weight_pages.h"
#include "model/weight_lookup.h"

namespace sdn {

// VAELoader's "taesd" / "taesdxl": TAESD's two networks with the latent scale between raw VAE
// latents and the space they work in.
struct TaesdVae {
    std::shared_ptr<const TaesdEncoder> encoder;
    std::shared_ptr<const TaesdDecoder> decoder;
    float latent_scale = 0.18215f;
};

}  // namespace sdn

struct sdn_vae : sdn::LiveHandle<SDN_LIVE_VAES> {
    std::shared_ptr<sdn::Vae> vae;  // null when taesd is set
    std::shared_ptr<const sdn::TaesdVae> taesd;
    std::shared_ptr<void> keepalive;  // owner of the memory the weights point into
    // Released when a sample / encode / decode call ends (checkpoint loads only).
    sdn::WeightPages pages;
};

namespace sdn {

// Builds a VAE handle from weights found by name under prefix ("first_stage_model." inside a
// checkpoint, "" in a standalone VAE file). keepalive must own whatever lookup's WeightRefs
// point into. Throws Error(SDN_ERR_FORMAT) naming missing tensors.
sdn_vae* make_vae_handle(const WeightLookup& lookup, const std::string& prefix,
                         std::shared_ptr<void> keepalive);

// The prefix a model file's VAE tensors carry: "first_stage_model." for checkpoints, "" for
// standalone VAE files. found is false when the file holds no VAE at all.
std::string vae_prefix_of(const WeightLookup& lookup, bool* found);

}  // namespace sdn
