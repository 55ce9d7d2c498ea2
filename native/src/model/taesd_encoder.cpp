#include "model/taesd_encoder.h"

#include <cmath>

#include "core/backend.h"
#include "core/error.h"

namespace sdn {

namespace {

constexpr int kConvIn = 0, kFirstBlock = 1, kConvOut = 14;
constexpr int kDown[3] = {2, 6, 10};  // each followed by the three blocks after it

std::string layer(int index) { return std::to_string(index); }

}  // namespace

bool TaesdEncoder::present(const WeightLookup& lookup, const std::string& prefix) {
    return lookup(prefix + layer(kConvIn) + ".weight") != nullptr &&
           lookup(prefix + layer(kConvOut) + ".weight") != nullptr;
}

std::unique_ptr<TaesdEncoder> TaesdEncoder::load(const WeightLookup& lookup,
                                                 const std::string& prefix,
                                                 std::shared_ptr<const void> owner) {
    vae::WeightBinder b(lookup, prefix);
    auto e = std::make_unique<TaesdEncoder>();
    e->owner_ = std::move(owner);
    e->conv_in_ = vae::Conv2d::bind(b, layer(kConvIn), 3, -1, 3);
    const int64_t width = e->conv_in_.out;
    e->first_ = taesd::Block::bind(b, layer(kFirstBlock), width);
    for (int down : kDown) {
        Stage stage;
        stage.down = b.get(layer(down) + ".weight", {width, width, 3, 3});
        for (int k = 1; k <= 3; ++k) stage.blocks.push_back(taesd::Block::bind(b, layer(down + k), width));
        e->stages_.push_back(std::move(stage));
    }
    e->conv_out_ = vae::Conv2d::bind(b, layer(kConvOut), width, -1, 3);
    b.require_complete();
    e->resident_ = b.found();
    return e;
}

Tensor TaesdEncoder::forward(Context& ctx, const Tensor& image) const {
    SDN_REQUIRE(image.n_dims() == 4 && image.dim(0) == 1 && image.dim(1) == 3 &&
                    image.dim(2) % kDownscale == 0 && image.dim(3) % kDownscale == 0,
                SDN_ERR_INVALID_ARGUMENT,
                "TAESD encode: expected an image [1, 3, 8k, 8m], got " + image.shape_string());
    Backend& be = ctx.backend();
    be.make_resident(resident_, residency_);
    DeviceTensor x = be.tensor(image.shape(), "TAESD input");
    be.upload(x, image.data());
    DeviceTensor h = first_.forward(ctx, conv_in_.forward(ctx, x, 1, 1));
    for (const Stage& stage : stages_) {
        h = taesd::conv_without_bias(ctx, h, stage.down, 2);
        for (const taesd::Block& blk : stage.blocks) h = blk.forward(ctx, h);
        be.submit();
    }
    h = conv_out_.forward(ctx, h, 1, 1);
    Tensor out(h.view().shape_vector());
    be.download(h, out.data());
    return out;
}

Tensor TaesdEncoder::encode(Context& ctx, const Tensor& image, float latent_scale) const {
    SDN_REQUIRE(image.n_dims() == 4 && image.dim(3) >= 3, SDN_ERR_INVALID_ARGUMENT,
                "TAESD encode: expected an image [B, H, W, 3], got " + image.shape_string());
    SDN_REQUIRE(std::isfinite(latent_scale) && latent_scale > 0.0f, SDN_ERR_INVALID_ARGUMENT,
                "TAESD encode: latent_scale must be a positive number");
    const int64_t B = image.dim(0), H = image.dim(1), W = image.dim(2), C = image.dim(3);
    const int64_t f = kDownscale;
    SDN_REQUIRE(H >= f && W >= f, SDN_ERR_INVALID_ARGUMENT,
                "TAESD encode: image " + image.shape_string() + " is smaller than 8 pixels");
    // Cropped to multiples of 8, centred, as VAEEncode does; the alpha channel is dropped.
    const int64_t Hc = H / f * f, Wc = W / f * f, y0 = (H % f) / 2, x0 = (W % f) / 2;
    const int64_t z = latent_channels(), item = z * (Hc / f) * (Wc / f);
    Tensor latent({B, z, Hc / f, Wc / f});
    for (int64_t b = 0; b < B; ++b) {
        Tensor x({1, 3, Hc, Wc});
        const float* src = image.data() + b * H * W * C;
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t r = 0; r < Hc; ++r)
                for (int64_t col = 0; col < Wc; ++col)
                    x.data()[(c * Hc + r) * Wc + col] = src[((r + y0) * W + col + x0) * C + c];
        const Tensor y = forward(ctx, x);
        for (int64_t i = 0; i < item; ++i) latent.data()[b * item + i] = y.data()[i] / latent_scale;
    }
    return latent;
}

}  // namespace sdn
