// Memory-bound tensor plumbing: broadcast add/mul, per-channel bias, channel concat and
// nearest x2 upsampling. Plain loops (the compiler vectorises them); threaded over rows.
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "cpu/ops.h"

namespace sdn::ops {

namespace {

template <typename Op>
void broadcast_binary(Context& ctx, const float* a, const float* b, int64_t outer, int64_t inner,
                      int64_t b_outer, float* y, Op op) {
    SDN_REQUIRE(b_outer == 1 || b_outer == outer, SDN_ERR_INVALID_ARGUMENT,
                "add/mul: b must be [inner] or [outer, inner]");
    auto rows = [&](int64_t r0, int64_t r1) {
        for (int64_t r = r0; r < r1; ++r) {
            const float* ar = a + r * inner;
            const float* br = b + (b_outer == 1 ? 0 : r * inner);
            float* yr = y + r * inner;
            for (int64_t i = 0; i < inner; ++i) yr[i] = op(ar[i], br[i]);
        }
    };
    if (outer * inner < (1 << 15) || outer == 1) {
        if (outer == 1 && inner >= (1 << 16)) {
            // One long row: split it instead.
            ctx.pool().parallel_range(inner, [&](int64_t i0, int64_t i1, int) {
                for (int64_t i = i0; i < i1; ++i) y[i] = op(a[i], b[i]);
            });
            return;
        }
        rows(0, outer);
        return;
    }
    ctx.pool().parallel_range(outer, [&](int64_t r0, int64_t r1, int) { rows(r0, r1); });
}

}  // namespace

void add(Context& ctx, const float* a, const float* b, int64_t outer, int64_t inner,
         int64_t b_outer, float* y) {
    broadcast_binary(ctx, a, b, outer, inner, b_outer, y, [](float u, float v) { return u + v; });
}

void mul(Context& ctx, const float* a, const float* b, int64_t outer, int64_t inner,
         int64_t b_outer, float* y) {
    broadcast_binary(ctx, a, b, outer, inner, b_outer, y, [](float u, float v) { return u * v; });
}

void add_channel_bias(Context& ctx, float* x, const float* v, int64_t B, int64_t C, int64_t HW) {
    ctx.pool().parallel_range(B * C, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) {
            float* xr = x + r * HW;
            const float bias = v[r];
            for (int64_t i = 0; i < HW; ++i) xr[i] += bias;
        }
    });
}

void upsample_nearest2x(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H,
                        int64_t W, float* y) {
    ctx.pool().parallel_range(B * C * H, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) {
            const int64_t plane = r / H, iy = r % H;
            const float* src = x + r * W;
            float* dst = y + plane * 4 * H * W + 2 * iy * 2 * W;
            for (int64_t ix = 0; ix < W; ++ix) dst[2 * ix] = dst[2 * ix + 1] = src[ix];
            std::memcpy(dst + 2 * W, dst, static_cast<size_t>(2 * W) * 4);
        }
    });
}

void concat_channels(Context& ctx, const float* a, int64_t C1, const float* b, int64_t C2,
                     int64_t B, int64_t HW, float* y) {
    for (int64_t bi = 0; bi < B; ++bi) {
        std::memcpy(y + bi * (C1 + C2) * HW, a + bi * C1 * HW, static_cast<size_t>(C1 * HW) * 4);
        std::memcpy(y + (bi * (C1 + C2) + C1) * HW, b + bi * C2 * HW, static_cast<size_t>(C2 * HW) * 4);
    }
}

void timestep_embedding(const float* t, int64_t B, int64_t dim, float* out, float max_period) {
    const int64_t half = dim / 2;
    for (int64_t bi = 0; bi < B; ++bi) {
        float* row = out + bi * dim;
        for (int64_t i = 0; i < half; ++i) {
            // float32 frequencies and products, as torch computes them in the SD UNet.
            const float freq = std::exp(-std::log(max_period) * static_cast<float>(i) / static_cast<float>(half));
            const float arg = t[bi] * freq;
            row[i] = std::cos(arg);
            row[half + i] = std::sin(arg);
        }
        if (dim % 2) row[dim - 1] = 0.0f;  // odd dim: zero pad, as the reference does
    }
}

}  // namespace sdn::ops
