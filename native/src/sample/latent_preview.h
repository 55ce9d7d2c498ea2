// Sampler previews. The cheap one: a fixed 4x3 linear map per latent pixel plus a bias
// (ComfyUI's latent_rgb_factors: SD15's without bias, SDXL's with one), mapped from [-1, 1] to
// bytes, one preview pixel per latent pixel. When the context holds a preview decoder (TAESD)
// the preview is its image instead, 8x larger.
#pragma once

#include <cstdint>
#include <vector>

#include "core/context.h"
#include "core/diffusion_model.h"
#include "core/tensor.h"

namespace sdn {

// RGB bytes (h*w*3, row-major) of batch item `item` of a [B, 4, h, w] latent.
std::vector<uint8_t> latent_to_rgb_preview(const Tensor& latent, int64_t item = 0,
                                           LatentFormat format = LatentFormat::Sd15);

// RGB bytes of batch item `item` of an image [B, H, W, 3] in 0..1: trunc(v * 255), as the
// ComfyUI version the previews follow converts them.
std::vector<uint8_t> image_to_rgb_bytes(const Tensor& image, int64_t item = 0);

// What the preview decoder is given: item 0 of `denoised` [B, C, h, w], averaged over k x k
// blocks with k = ceil(max(h, w) / kPreviewLatentSide), so the decoded preview stays within
// ComfyUI's default --preview-size of 512 pixels (ComfyUI decodes at full size and shrinks the
// image; decoding the shrunk latent costs k^2 times less: an SDXL 1024^2 preview takes a
// quarter of the time). Latents up to 64 x 64 go through unchanged.
constexpr int64_t kPreviewLatentSide = 64;
Tensor preview_decoder_input(const Tensor& denoised);

struct PreviewImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgb;  // width * height * 3
};

// The preview of item 0 of `denoised` [B, C, h, w] (the sampler's x0, model space): the
// context's preview decoder's image when it has one (and it can decode this latent; else a
// warning is logged), otherwise the latent->RGB projection.
PreviewImage make_preview(Context& ctx, const Tensor& denoised,
                          LatentFormat format = LatentFormat::Sd15);

}  // namespace sdn
