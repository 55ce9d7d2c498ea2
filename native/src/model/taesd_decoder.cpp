#include "model/taesd_decoder.h"

#include <algorithm>
#include <cmath>

#include "core/backend.h"
#include "core/error.h"

namespace sdn {

namespace {

// Sequence indices of the decoder's layers (nn.Sequential numbering: the clamp is 0, the
// ReLUs and nn.Upsample layers hold no weights).
constexpr int kConvIn = 1;
constexpr int kStageBlocks[4][3] = {{3, 4, 5}, {8, 9, 10}, {13, 14, 15}, {18, -1, -1}};
constexpr int kUpsampleConv[3] = {7, 12, 17};
constexpr int kConvOut = 19;

std::string layer(int index) { return std::to_string(index); }

}  // namespace

bool TaesdDecoder::present(const WeightLookup& lookup, const std::string& prefix) {
    return lookup(prefix + layer(kConvIn) + ".weight") != nullptr &&
           lookup(prefix + layer(kConvOut) + ".weight") != nullptr;
}

std::unique_ptr<TaesdDecoder> TaesdDecoder::load(const WeightLookup& lookup,
                                                 const std::string& prefix,
                                                 std::shared_ptr<const void> owner) {
    vae::WeightBinder b(lookup, prefix);
    auto d = std::make_unique<TaesdDecoder>();
    d->owner_ = std::move(owner);
    d->conv_in_ = vae::Conv2d::bind(b, layer(kConvIn), -1, -1, 3);
    const int64_t width = d->conv_in_.out;
    for (int s = 0; s < 4; ++s) {
        Stage stage;
        for (int index : kStageBlocks[s])
            if (index >= 0) stage.blocks.push_back(taesd::Block::bind(b, layer(index), width));
        stage.upsample = s < 3;
        if (stage.upsample) stage.up_conv = b.get(layer(kUpsampleConv[s]) + ".weight", {width, width, 3, 3});
        d->stages_.push_back(std::move(stage));
    }
    d->conv_out_ = vae::Conv2d::bind(b, layer(kConvOut), width, 3, 3);
    b.require_complete();
    d->resident_ = b.found();
    return d;
}

Tensor TaesdDecoder::forward(Context& ctx, const Tensor& latent) const {
    SDN_REQUIRE(latent.n_dims() == 4 && latent.dim(0) == 1 && latent.dim(1) == latent_channels(),
                SDN_ERR_INVALID_ARGUMENT,
                "TAESD decode: expected a latent [1, " + std::to_string(latent_channels()) +
                    ", h, w], got " + latent.shape_string());
    Backend& be = ctx.backend();
    be.make_resident(resident_, residency_);
    // Layer 0 clamps softly: tanh(x / 3) * 3. It is applied to the host input on its way to
    // the backend, like the VAE's own input mapping.
    Tensor clamped(latent.shape());
    for (int64_t i = 0; i < latent.size(); ++i)
        clamped.data()[i] = std::tanh(latent.data()[i] / 3.0f) * 3.0f;
    DeviceTensor x = be.tensor(clamped.shape(), "TAESD input");
    be.upload(x, clamped.data());

    DeviceTensor h = conv_in_.forward(ctx, x, 1, 1);
    be.activation(Activation::Relu, h);
    for (const Stage& stage : stages_) {
        for (const taesd::Block& blk : stage.blocks) h = blk.forward(ctx, h);
        if (stage.upsample) {
            DeviceTensor big = be.tensor({h.dim(0), h.dim(1), h.dim(2) * 2, h.dim(3) * 2}, "TAESD activations");
            be.upsample_nearest2x(h, big);
            h = taesd::conv_without_bias(ctx, big, stage.up_conv, 1);
        }
        be.submit();
    }
    h = conv_out_.forward(ctx, h, 1, 1);
    Tensor out(h.view().shape_vector());
    be.download(h, out.data());
    return out;
}

Tensor TaesdDecoder::decode(Context& ctx, const Tensor& latent, float latent_scale) const {
    SDN_REQUIRE(latent.n_dims() == 4 && latent.dim(1) == latent_channels(), SDN_ERR_INVALID_ARGUMENT,
                "TAESD decode: expected a latent [B, " + std::to_string(latent_channels()) +
                    ", h, w], got " + latent.shape_string());
    SDN_REQUIRE(std::isfinite(latent_scale) && latent_scale > 0.0f, SDN_ERR_INVALID_ARGUMENT,
                "TAESD decode: latent_scale must be a positive number");
    const int64_t B = latent.dim(0), C = latent.dim(1), h = latent.dim(2), w = latent.dim(3);
    const int64_t H = h * kUpscale, W = w * kUpscale, plane = H * W;
    Tensor image({B, H, W, 3});
    for (int64_t b = 0; b < B; ++b) {
        Tensor item({1, C, h, w});
        const float* src = latent.data() + b * C * h * w;
        for (int64_t i = 0; i < item.size(); ++i) item.data()[i] = src[i] * latent_scale;
        const Tensor y = forward(ctx, item);
        // ComfyUI maps the output to -1..1 (x - 0.5) * 2 and back with (x + 1) / 2, clamped:
        // the output itself, clamped to 0..1. NCHW -> NHWC.
        float* dst = image.data() + b * plane * 3;
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t i = 0; i < plane; ++i)
                dst[i * 3 + c] = std::clamp(y.data()[c * plane + i], 0.0f, 1.0f);
    }
    return image;
}

}  // namespace sdn
