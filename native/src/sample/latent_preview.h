// A cheap RGB preview of a latent: a fixed 4x3 linear map per latent pixel plus a bias
// (ComfyUI's latent_rgb_factors: SD15's without bias, SDXL's with one), mapped from [-1, 1]
// to bytes. One preview pixel per latent pixel; no VAE involved.
#pragma once

#include <cstdint>
#include <vector>

#include "core/diffusion_model.h"
#include "core/tensor.h"

namespace sdn {

// RGB bytes (h*w*3, row-major) of batch item `item` of a [B, 4, h, w] latent.
std::vector<uint8_t> latent_to_rgb_preview(const Tensor& latent, int64_t item = 0,
                                           LatentFormat format = LatentFormat::Sd15);

}  // namespace sdn
