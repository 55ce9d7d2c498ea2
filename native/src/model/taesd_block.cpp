#include "model/taesd_block.h"

#include "core/backend.h"
#include "core/error.h"

namespace sdn::taesd {

Block Block::bind(vae::WeightBinder& b, const std::string& name, int64_t width) {
    Block blk;
    for (int k = 0; k < 3; ++k)
        blk.conv[k] = vae::Conv2d::bind(b, name + ".conv." + std::to_string(2 * k), width, width, 3);
    // The released files keep the width in every block, so the skip is the identity; a
    // stored 1x1 skip conv is honoured all the same.
    blk.has_skip = b.has(name + ".skip.weight");
    if (blk.has_skip) blk.skip = b.get(name + ".skip.weight", {width, width, 1, 1});
    return blk;
}

DeviceTensor Block::forward(Context& ctx, const DeviceTensor& x) const {
    Backend& be = ctx.backend();
    DeviceTensor h = conv[0].forward(ctx, x, 1, 1);
    be.activation(Activation::Relu, h);
    h = conv[1].forward(ctx, h, 1, 1);
    be.activation(Activation::Relu, h);
    h = conv[2].forward(ctx, h, 1, 1);
    if (has_skip)
        be.add(h, conv_without_bias(ctx, x, skip, 1), h);
    else
        be.add(h, x, h);
    be.activation(Activation::Relu, h);
    return h;
}

DeviceTensor conv_without_bias(Context& ctx, const DeviceTensor& x, const WeightRef& w, int stride) {
    ctx.check_cancelled();
    SDN_REQUIRE(x.view().n_dims == 4 && x.dim(1) == w.shape[1], SDN_ERR_INVALID_ARGUMENT,
                "TAESD conv: expected " + std::to_string(w.shape[1]) + " channels, got " + x.shape_string());
    Backend& be = ctx.backend();
    const int64_t k = w.shape[2];
    const int pad = static_cast<int>(k / 2);
    const int64_t Ho = (x.dim(2) + 2 * pad - k) / stride + 1, Wo = (x.dim(3) + 2 * pad - k) / stride + 1;
    DeviceTensor y = be.tensor({x.dim(0), w.shape[0], Ho, Wo}, "TAESD activations");
    be.conv2d(x, w, nullptr, stride, pad, y);
    return y;
}

}  // namespace sdn::taesd
