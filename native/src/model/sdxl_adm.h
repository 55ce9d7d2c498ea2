// SDXL's ADM vector (ComfyUI's model_base.SDXL / SDXLRefiner encode_adm): the pooled text
// output followed by 256-wide sinusoidal embeddings of the size conditioning,
//   base:    pooled | h | w | crop_h | crop_w | target_h | target_w   (1280 + 6 * 256 = 2816)
//   refiner: pooled | h | w | crop_h | crop_w | aesthetic_score       (1280 + 5 * 256 = 2560)
// Shrunk test models keep the layout with a narrower pooled part.
#pragma once

#include <cstdint>

#include "core/diffusion_model.h"

namespace sdn {

inline constexpr int64_t kAdmEmbedWidth = 256;

// ComfyUI's Timestep(256): half = 128, f_i = exp(-ln(10000) * i / 128), [cos(v f), sin(v f)],
// computed in float32 as torch does. Writes 256 values.
void adm_size_embedding(double value, float* out);

// Writes y[adm_channels]. The pooled part is adm_channels - 6 * 256 wide (5 * 256 for the
// refiner); a missing or narrower pooled output leaves zeros.
void sdxl_adm_vector(const AdmInput& in, int64_t adm_channels, bool refiner, float* y);

}  // namespace sdn
