#include "mask_resize.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace sdn {

namespace {

struct Tap {
    int64_t i0, i1;
    float frac;
};

// align_corners=False: src = (dst + 0.5) * in/out - 0.5, clamped below at 0.
std::vector<Tap> taps(int64_t in, int64_t out) {
    std::vector<Tap> t(static_cast<size_t>(out));
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    for (int64_t d = 0; d < out; ++d) {
        float src = (static_cast<float>(d) + 0.5f) * scale - 0.5f;
        if (src < 0.0f) src = 0.0f;
        const auto i0 = std::min<int64_t>(static_cast<int64_t>(src), in - 1);
        const int64_t i1 = std::min<int64_t>(i0 + 1, in - 1);
        t[static_cast<size_t>(d)] = {i0, i1, src - static_cast<float>(i0)};
    }
    return t;
}

}  // namespace

Tensor resize_planes_bilinear(const float* src, int64_t count, int64_t src_h, int64_t src_w,
                              int64_t dst_h, int64_t dst_w) {
    Tensor out({count, dst_h, dst_w});
    const auto ty = taps(src_h, dst_h), tx = taps(src_w, dst_w);
    for (int64_t n = 0; n < count; ++n) {
        const float* s = src + n * src_h * src_w;
        float* o = out.data() + n * dst_h * dst_w;
        for (int64_t y = 0; y < dst_h; ++y) {
            const Tap& a = ty[static_cast<size_t>(y)];
            for (int64_t x = 0; x < dst_w; ++x) {
                const Tap& b = tx[static_cast<size_t>(x)];
                const float top = s[a.i0 * src_w + b.i0] * (1 - b.frac) + s[a.i0 * src_w + b.i1] * b.frac;
                const float bottom = s[a.i1 * src_w + b.i0] * (1 - b.frac) + s[a.i1 * src_w + b.i1] * b.frac;
                o[y * dst_w + x] = top * (1 - a.frac) + bottom * a.frac;
            }
        }
    }
    return out;
}

Tensor mask_to_latent_size(const Tensor& mask, int64_t h, int64_t w) {
    const int nd = mask.n_dims();
    SDN_REQUIRE(nd >= 2 && nd <= 4, SDN_ERR_INVALID_ARGUMENT, "mask must be [H,W], [N,H,W] or [N,1,H,W]");
    if (nd == 4)
        SDN_REQUIRE(mask.dim(1) == 1, SDN_ERR_INVALID_ARGUMENT, "a 4-d mask must have one channel");
    const int64_t mh = mask.dim(nd - 2), mw = mask.dim(nd - 1);
    const int64_t count = mask.size() / (mh * mw);
    if (mh == h && mw == w) {
        Tensor out({count, h, w});
        std::copy(mask.data(), mask.data() + mask.size(), out.data());
        return out;
    }
    return resize_planes_bilinear(mask.data(), count, mh, mw, h, w);
}

}  // namespace sdn
