// What the samplers need from a diffusion network: an eps prediction for a batch.
// Model code (model/) implements it; sampling code (sample/) only sees this interface.
#pragma once

#include <vector>

#include "context.h"
#include "tensor.h"

namespace sdn {

class DiffusionModel {
public:
    virtual ~DiffusionModel() = default;

    // x_in: [B, C, h, w], already multiplied by c_in = 1/sqrt(sigma^2+1).
    // timesteps: B values (integers for discrete models, as float).
    // context: [B, tokens, width] cross-attention conditioning.
    // eps_out is resized to x_in's shape. Honours ctx cancellation; calls ctx.unet_hook.
    virtual void predict_eps(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                             const Tensor& context, Tensor& eps_out) = 0;

    virtual int latent_channels() const { return 4; }
    // Latent scale (0.18215 for SD1.x) applied inside the sampler only.
    virtual float latent_scale() const { return 0.18215f; }
};

}  // namespace sdn
