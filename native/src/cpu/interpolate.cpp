// interpolate with torch.nn.functional.interpolate's index rules (align_corners=False, no
// antialias): every mode is separable, so each axis gets a table of source indices and
// weights, and each output pixel is a weighted sum over the product of its two tap lists.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "cpu/ops.h"

namespace sdn::ops {

namespace {

struct AxisTaps {
    int taps = 0;                 // taps per output position
    std::vector<int64_t> index;   // [out * taps]
    std::vector<float> weight;    // [out * taps]
};

// torch: cubic_convolution1 for |x| <= 1, cubic_convolution2 for 1 < |x| < 2, A = -0.75.
float cubic_near(float x, float A) { return ((A + 2) * x - (A + 3)) * x * x + 1; }
float cubic_far(float x, float A) { return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A; }

AxisTaps axis_taps(int64_t in, int64_t out, Interp mode) {
    AxisTaps t;
    const float scale = static_cast<float>(in) / static_cast<float>(out);
    auto clamp_index = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
    switch (mode) {
        case Interp::Nearest:
        case Interp::NearestExact: {
            t.taps = 1;
            for (int64_t o = 0; o < out; ++o) {
                const float pos = mode == Interp::Nearest ? o * scale : (o + 0.5f) * scale;
                t.index.push_back(std::min<int64_t>(static_cast<int64_t>(std::floor(pos)), in - 1));
                t.weight.push_back(1.0f);
            }
            break;
        }
        case Interp::Bilinear: {
            t.taps = 2;
            for (int64_t o = 0; o < out; ++o) {
                float src = std::max(0.0f, (o + 0.5f) * scale - 0.5f);
                const int64_t i0 = static_cast<int64_t>(src);
                const int64_t i1 = i0 + (i0 < in - 1 ? 1 : 0);
                const float l1 = src - static_cast<float>(i0);
                t.index.insert(t.index.end(), {i0, i1});
                t.weight.insert(t.weight.end(), {1.0f - l1, l1});
            }
            break;
        }
        case Interp::Bicubic: {
            t.taps = 4;
            const float A = -0.75f;
            for (int64_t o = 0; o < out; ++o) {
                const float src = (o + 0.5f) * scale - 0.5f;
                const float fl = std::floor(src);
                const int64_t i0 = static_cast<int64_t>(fl);
                const float f = src - fl;
                for (int k = -1; k <= 2; ++k) t.index.push_back(clamp_index(i0 + k));
                t.weight.insert(t.weight.end(),
                                {cubic_far(f + 1, A), cubic_near(f, A), cubic_near(1 - f, A), cubic_far(2 - f, A)});
            }
            break;
        }
        case Interp::Area: {
            // Adaptive average pooling windows: [floor(o*in/out), ceil((o+1)*in/out)).
            int64_t widest = 0;
            for (int64_t o = 0; o < out; ++o) {
                const int64_t s = o * in / out, e = ((o + 1) * in + out - 1) / out;
                widest = std::max(widest, e - s);
            }
            t.taps = static_cast<int>(widest);
            for (int64_t o = 0; o < out; ++o) {
                const int64_t s = o * in / out, e = ((o + 1) * in + out - 1) / out;
                for (int64_t k = 0; k < widest; ++k) {
                    t.index.push_back(s + k < e ? s + k : s);
                    t.weight.push_back(s + k < e ? 1.0f / static_cast<float>(e - s) : 0.0f);
                }
            }
            break;
        }
    }
    return t;
}

}  // namespace

void interpolate(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H, int64_t W,
                 float* y, int64_t Ho, int64_t Wo, Interp mode) {
    SDN_REQUIRE(H > 0 && W > 0 && Ho > 0 && Wo > 0, SDN_ERR_INVALID_ARGUMENT, "interpolate: empty size");
    const AxisTaps ty = axis_taps(H, Ho, mode), tx = axis_taps(W, Wo, mode);
    ctx.pool().parallel_range(B * C * Ho, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t plane = r / Ho, oy = r % Ho;
            const float* src = x + plane * H * W;
            float* dst = y + plane * Ho * Wo + oy * Wo;
            for (int64_t ox = 0; ox < Wo; ++ox) {
                float sum = 0.0f;
                for (int a = 0; a < ty.taps; ++a) {
                    const float* row = src + ty.index[oy * ty.taps + a] * W;
                    float row_sum = 0.0f;
                    for (int b = 0; b < tx.taps; ++b)
                        row_sum += tx.weight[ox * tx.taps + b] * row[tx.index[ox * tx.taps + b]];
                    sum += ty.weight[oy * ty.taps + a] * row_sum;
                }
                dst[ox] = sum;
            }
        }
    });
}

}  // namespace sdn::ops
