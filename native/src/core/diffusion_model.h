// What the samplers need from a diffusion network: a prediction for a batch, what kind of
// prediction it is, its latent format and (SDXL) how to build its ADM input vector.
// Model code (model/) implements it; sampling code (sample/) only sees this interface.
#pragma once

#include <cstdint>
#include <vector>

#include "context.h"
#include "sdnative.h"
#include "tensor.h"

namespace sdn {

// Latent spaces with their scale and latent->RGB preview factors (ComfyUI's latent_formats).
enum class LatentFormat { Sd15, Sdxl };

// One conditioning entry's inputs to SDXL's ADM vector (ComfyUI's encode_adm), sizes in
// pixels with the defaults already applied.
struct AdmInput {
    const Tensor* pooled = nullptr;  // [1, width]; null = zeros
    double width = 0, height = 0, crop_w = 0, crop_h = 0, target_width = 0, target_height = 0;
    double aesthetic_score = 6.0;    // the refiner's
};

class DiffusionModel {
public:
    virtual ~DiffusionModel() = default;

    // x_in: [B, C, h, w], already multiplied by c_in = 1/sqrt(sigma^2+1).
    // timesteps: B values (integers for discrete models, as float).
    // context: [B, tokens, width] cross-attention conditioning.
    // eps_out is resized to x_in's shape: eps or v as prediction() says. Honours ctx
    // cancellation; calls ctx.unet_hook.
    virtual void predict_eps(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                             const Tensor& context, Tensor& eps_out) = 0;
    // The same with the ADM vector y [B, adm_channels()] (null when the model takes none).
    virtual void predict(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                         const Tensor& context, const Tensor* y, Tensor& out) {
        (void)y;
        predict_eps(ctx, x_in, timesteps, context, out);
    }

    virtual int latent_channels() const { return 4; }
    virtual LatentFormat latent_format() const { return LatentFormat::Sd15; }
    // Latent scale (0.18215 for SD1.x and SD2.x, 0.13025 for SDXL) applied inside the sampler.
    float latent_scale() const { return latent_format() == LatentFormat::Sdxl ? 0.13025f : 0.18215f; }
    virtual sdn_prediction prediction() const { return SDN_PREDICTION_EPS; }
    // Width of the ADM vector (label_emb input); 0 when the model takes none.
    virtual int64_t adm_channels() const { return 0; }
    // Writes the ADM vector of one entry into y[adm_channels()].
    virtual void encode_adm(const AdmInput& in, float* y) const {
        (void)in;
        (void)y;
    }
};

}  // namespace sdn
