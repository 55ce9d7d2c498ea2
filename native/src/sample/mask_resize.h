// Bilinear resizing of masks to the latent grid, as torch's F.interpolate(mode="bilinear",
// align_corners=False) does it (ComfyUI resizes noise masks and conditioning masks this way).
#pragma once

#include <cstdint>

#include "core/tensor.h"

namespace sdn {

// Resizes each of `count` planes of src_h x src_w (contiguous) to dst_h x dst_w.
Tensor resize_planes_bilinear(const float* src, int64_t count, int64_t src_h, int64_t src_w,
                              int64_t dst_h, int64_t dst_w);

// A mask given as [H, W], [N, H, W] or [N, 1, H, W] -> [N, h, w] at the latent size.
Tensor mask_to_latent_size(const Tensor& mask, int64_t h, int64_t w);

}  // namespace sdn
