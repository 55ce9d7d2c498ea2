// Element-wise activations and GEGLU, split over the pool in contiguous ranges.
#include <algorithm>
#include <cmath>

#include "cpu/kernel_table.h"
#include "cpu/ops.h"

namespace sdn::ops {

namespace {

constexpr int64_t kMinChunk = 1 << 14;  // below this, threading costs more than it saves

void apply(Context& ctx, float* x, int64_t n, void (*fn)(float*, int64_t)) {
    if (n <= kMinChunk || ctx.threads() == 1) {
        fn(x, n);
        return;
    }
    const int64_t chunks = (n + kMinChunk - 1) / kMinChunk;
    ctx.pool().parallel_range(chunks, [&](int64_t c0, int64_t c1, int) {
        int64_t b = c0 * kMinChunk, e = std::min(n, c1 * kMinChunk);
        fn(x + b, e - b);
    });
}

}  // namespace

void silu(Context& ctx, float* x, int64_t n) { apply(ctx, x, n, cpu::kernels(ctx).silu); }
void gelu_erf(Context& ctx, float* x, int64_t n) { apply(ctx, x, n, cpu::kernels(ctx).gelu_erf); }
void gelu_tanh(Context& ctx, float* x, int64_t n) { apply(ctx, x, n, cpu::kernels(ctx).gelu_tanh); }
void quick_gelu(Context& ctx, float* x, int64_t n) { apply(ctx, x, n, cpu::kernels(ctx).quick_gelu); }

// Plain loops: the compiler vectorises them for every variant, and no SD1 path runs them.
void relu(Context& ctx, float* x, int64_t n) {
    apply(ctx, x, n, [](float* p, int64_t m) {
        for (int64_t i = 0; i < m; ++i) p[i] = p[i] < 0.0f ? 0.0f : p[i];
    });
}
void tanh(Context& ctx, float* x, int64_t n) {
    apply(ctx, x, n, [](float* p, int64_t m) {
        for (int64_t i = 0; i < m; ++i) p[i] = std::tanh(p[i]);
    });
}

void geglu(Context& ctx, const float* x, int64_t rows, int64_t d, float* y) {
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    ctx.pool().parallel_range(rows, [&](int64_t r0, int64_t r1, int) {
        for (int64_t r = r0; r < r1; ++r) kt.geglu_row(x + r * 2 * d, d, y + r * d);
    });
}

}  // namespace sdn::ops
