// TAESD's encoder (taesd_encoder / taesdxl_encoder): image -> latent in the diffusion model's
// space, the counterpart of taesd_decoder.h with the same residual blocks. Layers by index:
// 0 conv(3 -> width), 1 block, then three times [bias-free stride-2 conv, 3 blocks]
// (2, 3-5 | 6, 7-9 | 10, 11-13), and 14 conv(width -> latent channels).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/taesd_block.h"

namespace sdn {

class TaesdEncoder {
public:
    // prefix: "" for a taesd_encoder file, "taesd_encoder." inside a combined TAESD file.
    static std::unique_ptr<TaesdEncoder> load(const WeightLookup& lookup, const std::string& prefix,
                                              std::shared_ptr<const void> owner);
    static bool present(const WeightLookup& lookup, const std::string& prefix);

    // image [B, H, W, C>=3] in 0..1, H and W cropped (centred) to multiples of 8 -> latent
    // [B, C_lat, H/8, W/8] divided by latent_scale (0.18215 / 0.13025 give a raw VAE latent,
    // as ComfyUI's TAESD VAE returns it; 1 keeps the model space).
    Tensor encode(Context& ctx, const Tensor& image, float latent_scale) const;
    // The network on one item: [1, 3, H, W] in 0..1 -> [1, C_lat, H/8, W/8].
    Tensor forward(Context& ctx, const Tensor& image) const;

    int64_t latent_channels() const { return conv_out_.out; }
    static constexpr int64_t kDownscale = 8;

private:
    struct Stage {  // a bias-free stride-2 conv, then three blocks
        WeightRef down;
        std::vector<taesd::Block> blocks;
    };

    vae::Conv2d conv_in_;  // layer 0
    taesd::Block first_;   // layer 1
    std::vector<Stage> stages_;
    vae::Conv2d conv_out_;  // layer 14
    std::vector<const WeightRef*> resident_;
    std::shared_ptr<const void> owner_;
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
};

}  // namespace sdn
