// The SD KL autoencoder as ComfyUI's VAEEncode / VAEDecode (and their tiled variants) use it.
// Latents are raw VAE space (posterior mean, never multiplied by 0.18215); images are NHWC
// in 0..1. The network shape (levels, blocks, widths) is read from the weights.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/tensor.h"
#include "model/vae_decoder.h"
#include "model/vae_encoder.h"

namespace sdn {

// Tiling in pixel units, as the tile_size / overlap inputs of VAEEncodeTiled / VAEDecodeTiled.
struct VaeTiling {
    int64_t tile_size = 512;
    int64_t overlap = 64;
};

class Vae {
public:
    // prefix: "first_stage_model." inside a checkpoint, "" for a standalone VAE file whose
    // tensors are named encoder.* / decoder.* / quant_conv.* / post_quant_conv.*.
    // Throws Error(SDN_ERR_FORMAT) naming every missing tensor, or a shape that does not fit.
    static std::unique_ptr<Vae> load(const WeightLookup& lookup, const std::string& prefix);

    // image [B, H, W, C>=3] in 0..1 -> latent [B, z, H'/f, W'/f], where H', W' are H, W
    // cropped (centred) to multiples of f. tiling == nullptr: whole image at once, unless it
    // does not fit the device's memory budget (see encode_budget_tiling).
    Tensor encode(Context& ctx, const Tensor& image, const VaeTiling* tiling = nullptr) const;
    // latent [B, z, h, w] -> image [B, f*h, f*w, 3] in 0..1. tiling == nullptr: whole latent
    // at once, unless it does not fit the device's memory budget (see budget_tiling).
    Tensor decode(Context& ctx, const Tensor& latent, const VaeTiling* tiling = nullptr) const;

    int64_t downscale() const { return decoder_.upscale(); }  // f: 8 for SD
    int64_t latent_channels() const { return post_quant_conv_.in; }

    // The networks on one item, NCHW, without the 0..1 <-> -1..1 mapping:
    // x [1, 3, H, W] in -1..1 -> posterior mean [1, z, H/f, W/f] (encoder, quant_conv, mean).
    Tensor encode_mean(Context& ctx, const Tensor& x, vae::ProgressTicker& progress) const;
    // z [1, z, h, w] -> decoder output [1, 3, f*h, f*w] (post_quant_conv, decoder; unclamped).
    Tensor decode_raw(Context& ctx, const Tensor& z, vae::ProgressTicker& progress) const;
    // Device bytes an untiled decode_raw of a [1, z, h, w] latent takes at its peak (weights
    // not counted: they are resident already).
    int64_t decode_bytes(int64_t h, int64_t w) const;
    // The tiling decode() takes by itself when the context's backend has a memory budget that
    // an untiled decode of h x w would not fit: the largest tile whose decode fits, with
    // VAEDecodeTiled's default overlap. nullopt when the whole latent fits or the backend
    // reports no budget (-1). Throws Error(SDN_ERR_OUT_OF_MEMORY) naming the sizes when not
    // even the smallest tile fits. Makes the weights resident first: they are not available
    // to activations.
    std::optional<VaeTiling> budget_tiling(Context& ctx, int64_t h, int64_t w) const;
    // The same for encode_mean of a [1, 3, H, W] image (H, W multiples of f) and encode().
    int64_t encode_bytes(int64_t H, int64_t W) const;
    std::optional<VaeTiling> encode_budget_tiling(Context& ctx, int64_t H, int64_t W) const;
    int encode_block_count() const { return encoder_.block_count(); }
    int decode_block_count() const { return decoder_.block_count(); }

private:
    DeviceTensor to_backend(Context& ctx, const Tensor& host) const;

    vae::Encoder encoder_;
    vae::Decoder decoder_;
    vae::Conv2d quant_conv_;       // [2z, 2z, 1, 1]
    vae::Conv2d post_quant_conv_;  // [z, z, 1, 1]
    std::vector<const WeightRef*> resident_;  // every weight, made resident per backend
    // Lives as long as this model: backends drop their resident copies once it expires.
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
};

}  // namespace sdn
