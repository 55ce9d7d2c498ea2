// Pure data movement: padding and the channel-major <-> token-major transposes the
// transformer and VAE attention blocks wrap around their token work.
#include <cstring>

#include "cpu/ops.h"

namespace sdn::ops {

void pad_zero(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H, int64_t W, int64_t top,
              int64_t left, float* y, int64_t Ho, int64_t Wo) {
    ctx.pool().parallel_range(B * C, [&](int64_t begin, int64_t end, int) {
        for (int64_t p = begin; p < end; ++p) {
            const float* src = x + p * H * W;
            float* dst = y + p * Ho * Wo;
            std::memset(dst, 0, sizeof(float) * static_cast<size_t>(Ho * Wo));
            for (int64_t r = 0; r < H; ++r)
                std::memcpy(dst + (top + r) * Wo + left, src + r * W,
                            sizeof(float) * static_cast<size_t>(W));
        }
    });
}

void channels_to_tokens(Context& ctx, const float* x, int64_t B, int64_t C, int64_t N, float* y) {
    ctx.pool().parallel_range(B * N, [&](int64_t begin, int64_t end, int) {
        for (int64_t bn = begin; bn < end; ++bn) {
            const int64_t b = bn / N, n = bn % N;
            const float* src = x + b * C * N + n;
            float* dst = y + bn * C;
            for (int64_t c = 0; c < C; ++c) dst[c] = src[c * N];
        }
    });
}

void tokens_to_channels(Context& ctx, const float* tokens, const float* residual, int64_t B,
                        int64_t C, int64_t N, float* y) {
    ctx.pool().parallel_range(B * C, [&](int64_t begin, int64_t end, int) {
        for (int64_t bc = begin; bc < end; ++bc) {
            const int64_t b = bc / C, c = bc % C;
            const float* src = tokens + b * N * C + c;
            float* dst = y + bc * N;
            if (residual) {
                const float* res = residual + bc * N;
                for (int64_t n = 0; n < N; ++n) dst[n] = src[n * C] + res[n];
            } else {
                for (int64_t n = 0; n < N; ++n) dst[n] = src[n * C];
            }
        }
    });
}

}  // namespace sdn::ops
