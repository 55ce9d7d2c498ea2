// ComfyUI's KSampler / KSamplerAdvanced for an EPS model (common_ksampler -> CFGGuider):
// sigma selection, initial noise, latent scaling, noise-mask inpainting, the sampler loop
// with progress/preview/cancellation, and the return to raw VAE space.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cfg_denoiser.h"
#include "core/context.h"
#include "core/diffusion_model.h"
#include "core/tensor.h"

namespace sdn {

struct KSamplerParams {
    std::string sampler = "euler";
    std::string scheduler = "normal";
    int steps = 20;
    uint64_t seed = 0;
    double cfg = 8.0;
    double denoise = 1.0;
    bool add_noise = true;
    int start_step = 0;
    int end_step = 10000;
    bool force_full_denoise = true;
    int preview_every = 0;  // 0 = no previews
    sdn_prediction prediction = SDN_PREDICTION_DEFAULT;  // ModelSamplingDiscrete's override
};

struct LatentInput {
    const Tensor* samples = nullptr;     // [B, C, h, w], raw VAE space
    const Tensor* noise_mask = nullptr;  // optional, any resolution
    std::vector<int64_t> batch_index;    // optional
};

// Throws Error(SDN_ERR_INVALID_ARGUMENT) naming the problem (unknown sampler/scheduler with
// the supported lists, steps outside 1..10000, step range, cfg/denoise not finite).
void validate_ksampler_params(const KSamplerParams& params);

// The sigmas the run will use. `unchanged` is set when there is nothing to sample (denoise
// <= 0 or a start step past the end): the input latent is then returned as is.
std::vector<double> ksampler_sigmas(const KSamplerParams& params, bool& unchanged);

// Runs the sampler; returns the sampled latent in raw VAE space.
Tensor ksample(Context& ctx, DiffusionModel& model, const KSamplerParams& params,
               const std::vector<Conditioning>& positive, const std::vector<Conditioning>& negative,
               const LatentInput& latent);

}  // namespace sdn
