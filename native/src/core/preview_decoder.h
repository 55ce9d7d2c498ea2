// A network that turns a sampler's latent into a preview image (TAESD). The context holds
// one when previews should come from it instead of the latent->RGB projection; the sampler
// (sample/) reaches it through this interface, never through the model that implements it.
#pragma once

#include "core/tensor.h"

namespace sdn {

class Context;

class PreviewDecoder {
public:
    virtual ~PreviewDecoder() = default;
    // latent [1, C, h, w] in the diffusion model's space (the raw VAE latent times the
    // latent scale, as the sampler holds it) -> image [1, H, W, 3] in 0..1, computed on
    // ctx's backend. Throws Error(SDN_ERR_INVALID_ARGUMENT) for a latent it cannot take.
    virtual Tensor decode_preview(Context& ctx, const Tensor& latent) const = 0;
};

}  // namespace sdn
