// TAESD's decoder (taesd_decoder for SD1/SD2, taesdxl_decoder for SDXL: the same layout with
// other weights), the tiny autoencoder ComfyUI uses for live previews. A plain stack of 3x3
// convolutions: clamp tanh(x/3)*3, conv, ReLU, then three times [3 residual blocks, nearest
// x2, bias-free conv], one more block and a conv to RGB. Its weights are named by the index
// of the layer in that sequence ("1.weight", "3.conv.0.weight", "7.weight", "19.bias").
// The width (64 in the released files) and the latent channels are read from the weights.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/preview_decoder.h"
#include "model/taesd_block.h"

namespace sdn {

class TaesdDecoder : public PreviewDecoder {
public:
    // prefix: "" for a taesd_decoder file, "taesd_decoder." inside a combined TAESD file.
    // owner keeps the memory the weights point into alive for the decoder's lifetime.
    // Throws Error(SDN_ERR_FORMAT) naming every missing tensor or a shape that does not fit.
    static std::unique_ptr<TaesdDecoder> load(const WeightLookup& lookup, const std::string& prefix,
                                              std::shared_ptr<const void> owner);
    // True when lookup holds a TAESD decoder's first and last layer under prefix.
    static bool present(const WeightLookup& lookup, const std::string& prefix);

    // latent [B, C, h, w], decoded after multiplying by latent_scale (1 for a latent already
    // in model space; 0.18215 / 0.13025 for a raw SD / SDXL VAE latent) -> image
    // [B, 8h, 8w, 3] in 0..1 (the network's output clamped, as ComfyUI's TAESD gives it).
    Tensor decode(Context& ctx, const Tensor& latent, float latent_scale) const;
    // The network on one item in model space: [1, C, h, w] -> [1, 3, 8h, 8w], unclamped.
    Tensor forward(Context& ctx, const Tensor& latent) const;
    Tensor decode_preview(Context& ctx, const Tensor& latent) const override {
        return decode(ctx, latent, 1.0f);
    }

    int64_t latent_channels() const { return conv_in_.in; }
    int64_t width() const { return conv_in_.out; }
    static constexpr int64_t kUpscale = 8;

private:
    struct Stage {  // blocks, then (except after the last) nearest x2 and a bias-free conv
        std::vector<taesd::Block> blocks;
        bool upsample = false;
        WeightRef up_conv;  // [width, width, 3, 3]
    };

    vae::Conv2d conv_in_;   // layer 1
    std::vector<Stage> stages_;
    vae::Conv2d conv_out_;  // layer 19
    std::vector<const WeightRef*> resident_;
    std::shared_ptr<const void> owner_;
    // Lives as long as this decoder: backends drop their resident copies once it expires.
    std::shared_ptr<const void> residency_ = std::make_shared<char>();
};

}  // namespace sdn
