// The SD KL autoencoder's decoder: z [B, z, h, w] (after post_quant_conv) -> image
// [B, 3, f*h, f*w] in about -1..1 (not yet clamped), f = 2^(levels-1). Depth and widths are
// read from the weights.
#pragma once

#include <string>
#include <vector>

#include "model/vae_blocks.h"

namespace sdn::vae {

class Decoder {
public:
    // name ends with "decoder." (e.g. "first_stage_model.decoder.").
    static Decoder bind(WeightBinder& b, const std::string& name);

    int block_count() const;
    int64_t upscale() const { return int64_t(1) << (levels_.size() - 1); }
    int64_t in_channels() const { return conv_in_.in; }

    DeviceTensor forward(Context& ctx, const DeviceTensor& z, ProgressTicker& progress) const;

    // The most activation elements forward() holds at once for a z of [1, in, h, w], stage by
    // stage as each block's forward allocates (the VAE sizes its tiles from it).
    int64_t peak_elements(int64_t h, int64_t w) const;

private:
    struct Level {
        std::vector<ResnetBlock> blocks;
        bool has_upsample = false;
        Upsample upsample;
    };
    Conv2d conv_in_;
    ResnetBlock mid_block_1_, mid_block_2_;
    AttentionBlock mid_attn_;
    std::vector<Level> levels_;  // in execution order: up.(L-1) first, up.0 last
    GroupNorm norm_out_;
    Conv2d conv_out_;
};

}  // namespace sdn::vae
