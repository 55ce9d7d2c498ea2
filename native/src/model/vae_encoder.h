// The SD KL autoencoder's encoder: image [B, 3, H, W] in -1..1 -> moments [B, 2z, H/f, W/f]
// (mean then log-variance), f = 2^(levels-1). Depth and widths are read from the weights.
#pragma once

#include <string>
#include <vector>

#include "model/vae_blocks.h"

namespace sdn::vae {

class Encoder {
public:
    // prefix ends with "encoder." (e.g. "first_stage_model.encoder."); binder carries the rest.
    static Encoder bind(WeightBinder& b, const std::string& name);

    // Number of ProgressTicker ticks one forward call makes.
    int block_count() const;
    // The spatial reduction factor (8 for SD).
    int64_t downscale() const { return int64_t(1) << (levels_.size() - 1); }
    int64_t out_channels() const { return conv_out_.out; }
    int64_t in_channels() const { return conv_in_.in; }

    DeviceTensor forward(Context& ctx, const DeviceTensor& image, ProgressTicker& progress) const;
    // Activation values held at once at the forward pass's peak for an H x W image (the
    // input image itself not counted): what Vae::encode_bytes sizes tiles from.
    int64_t peak_elements(int64_t H, int64_t W) const;

private:
    struct Level {
        std::vector<ResnetBlock> blocks;
        bool has_downsample = false;
        Downsample downsample;
    };
    Conv2d conv_in_;
    std::vector<Level> levels_;
    ResnetBlock mid_block_1_, mid_block_2_;
    AttentionBlock mid_attn_;
    GroupNorm norm_out_;
    Conv2d conv_out_;
};

}  // namespace sdn::vae
