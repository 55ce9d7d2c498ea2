// conv2d as a GEMM per image: C[O, P] = W[O, C*k*k] * cols[C*k*k, P] over the P = Ho*Wo
// output pixels. The im2col matrix is never built: each packed B panel (kc x gemm_nr) is
// gathered straight from the input, and each weight tile is converted to float32 as the
// A operand, so f16/bf16/quantized weights stay in their stored type. q8_0/q4_0 weights on
// AVX512-VNNI CPUs take integer products instead when SDN_CPU_INT8_CONVS asks for them
// (cpu/gemm_int8.h says why that is not the default).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "cpu/conv_geometry.h"
#include "cpu/gemm.h"
#include "cpu/gemm_int8.h"
#include "cpu/ops.h"
#include "cpu/weight_rows.h"

namespace sdn::ops {

namespace {

// panel[kk * nr + j] = input value feeding output pixel p0 + j through weight tap k0 + kk.
// Pixel p0 + j is pixel (p0 + j) % (Ho*Wo) of image (p0 + j) / (Ho*Wo): the GEMM's N runs over
// the pixels of all images of the batch, so each weight is converted once per call.
void gather_panel(const ConvGeometry& g, const float* x, int64_t p0, int64_t cols, int64_t k0,
                  int64_t kc, int nr, float* panel) {
    const int64_t taps = g.k * g.k, P = g.Ho * g.Wo, image = g.C * g.H * g.W;
    if (g.k == 1 && g.stride == 1 && g.pad == 0) {
        for (int64_t kk = 0; kk < kc; ++kk) {
            float* dst = panel + kk * nr;
            for (int64_t j = 0; j < cols;) {
                const int64_t p = p0 + j, bi = p / P, q = p % P, len = std::min(cols - j, P - q);
                std::memcpy(dst + j, x + bi * image + (k0 + kk) * g.H * g.W + q, static_cast<size_t>(len) * 4);
                j += len;
            }
            for (int64_t j = cols; j < nr; ++j) dst[j] = 0.0f;
        }
        return;
    }
    // The panel's pixels split into runs that lie on one output row of one image.
    struct Run { int64_t image_offset, oy, ox0, len, offset; };
    Run runs[64];
    int n_runs = 0;
    for (int64_t j = 0; j < cols;) {
        int64_t p = p0 + j, bi = p / P, q = p % P, oy = q / g.Wo, ox = q % g.Wo;
        int64_t len = std::min(cols - j, g.Wo - ox);
        runs[n_runs++] = {bi * image, oy, ox, len, j};
        j += len;
    }
    for (int64_t kk = 0; kk < kc; ++kk) {
        const int64_t tap = k0 + kk, c = tap / taps, ky = (tap % taps) / g.k, kx = tap % g.k;
        const float* plane = x + c * g.H * g.W;
        float* dst = panel + kk * nr;
        for (int r = 0; r < n_runs; ++r) {
            const Run& run = runs[r];
            float* d = dst + run.offset;
            const int64_t iy = run.oy * g.stride + ky - g.pad;
            if (iy < 0 || iy >= g.H) {
                std::fill(d, d + run.len, 0.0f);
                continue;
            }
            const float* src = plane + run.image_offset + iy * g.W;
            const int64_t ix0 = run.ox0 * g.stride + kx - g.pad;
            // Output positions t whose input column ix0 + t*stride lies inside [0, W).
            int64_t t_begin = ix0 >= 0 ? 0 : (-ix0 + g.stride - 1) / g.stride;
            int64_t t_end = ix0 >= g.W ? 0 : std::min(run.len, (g.W - 1 - ix0) / g.stride + 1);
            if (t_end < t_begin) t_end = t_begin;
            for (int64_t t = 0; t < t_begin; ++t) d[t] = 0.0f;
            if (g.stride == 1) {
                std::memcpy(d + t_begin, src + ix0 + t_begin, static_cast<size_t>(t_end - t_begin) * 4);
            } else {
                for (int64_t t = t_begin; t < t_end; ++t) d[t] = src[ix0 + t * g.stride];
            }
            for (int64_t t = t_end; t < run.len; ++t) d[t] = 0.0f;
        }
        for (int64_t j = cols; j < nr; ++j) dst[j] = 0.0f;
    }
}

}  // namespace

void conv2d(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H, int64_t W,
            const WeightRef& w, const WeightRef* bias, int stride, int pad, float* y) {
    SDN_REQUIRE(w.shape.size() == 4 && w.shape[1] == C && w.shape[2] == w.shape[3] &&
                    (w.shape[2] == 1 || w.shape[2] == 3),
                SDN_ERR_INVALID_ARGUMENT, "conv2d: weight must be [O, C, k, k] with k 1 or 3 and C matching");
    SDN_REQUIRE(stride == 1 || stride == 2, SDN_ERR_INVALID_ARGUMENT, "conv2d: stride must be 1 or 2");
    SDN_REQUIRE(pad == 0 || pad == 1, SDN_ERR_INVALID_ARGUMENT, "conv2d: pad must be 0 or 1");
    const int64_t O = w.shape[0], k = w.shape[2];
    ConvGeometry g{C, H, W, (H + 2 * pad - k) / stride + 1, (W + 2 * pad - k) / stride + 1, k, stride, pad};
    SDN_REQUIRE(g.Ho > 0 && g.Wo > 0, SDN_ERR_INVALID_ARGUMENT, "conv2d: input smaller than the kernel");
    const int64_t P = g.Ho * g.Wo, K = C * k * k;
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    // The GEMM's K runs over (c, ky, kx), the weight's memory order. A quantized conv weight
    // is read as O rows of C*k*k elements, so its blocks may span several taps.
    std::vector<float> b;
    if (bias && bias->valid()) {
        b = cpu::weight_vector_f32(kt, *bias);
        SDN_REQUIRE(static_cast<int64_t>(b.size()) == O, SDN_ERR_INVALID_ARGUMENT, "conv2d: bias size mismatch");
    }
    // Flat [O, K] view of the weight, so row r of it is output channel r.
    WeightRef flat = w;
    flat.shape = {O, K};
    cpu::require_readable_weight(flat, "conv2d");

    // One GEMM over the pixels of every image (N = B*P). Its C is [O, B*P]: written straight
    // into y when B is 1, else into a scratch copy re-laid out to [B, O, P] afterwards.
    std::vector<float> batched;
    float* c = y;
    if (B > 1) {
        batched.resize(static_cast<size_t>(O * B * P));
        c = batched.data();
    }
    const int64_t N = B * P;
    cpu::GemmJob job;
    job.M = O;
    job.N = N;
    job.K = K;
    job.c = c;
    job.ldc = N;
    job.k_align = cpu::weight_block_elems(w.type);
    job.a_weight = &flat;
    job.load_a = [&](int64_t m0, int64_t rows, int64_t k0, int64_t kc, float* dst) {
        for (int64_t r = 0; r < rows; ++r) cpu::weight_row_f32(kt, flat, m0 + r, k0, kc, dst + r * kc);
    };
    job.pack_b = [&](int64_t n0, int64_t cols, int64_t k0, int64_t kc, int nr, float* panel) {
        gather_panel(g, x, n0, cols, k0, kc, nr, panel);
    };
    if (kt.matrix_bf16) {
        job.pack_b_bf16 = [&](int64_t n0, int64_t cols, int64_t k0, int64_t kc, int64_t kc_pad, uint16_t* dst) {
            gather_panel_bf16(g, x, n0, cols, k0, kc, kc_pad, dst);
        };
    }
    if (!b.empty()) {
        job.epilogue = [&](int64_t m0, int64_t rows, int64_t n0, int64_t cols) {
            for (int64_t o = m0; o < m0 + rows; ++o) {
                float* co = c + o * N;
                for (int64_t j = n0; j < n0 + cols; ++j) co[j] += b[o];
            }
        };
    }
    if (cpu::int8::conv_applies(kt, flat, K))
        cpu::int8::run_gemm(ctx, job);
    else
        cpu::run_gemm(ctx, kt, job);
    if (B > 1) {
        ctx.pool().parallel_for(O * B, [&](int64_t row, int) {
            const int64_t o = row / B, bi = row % B;
            std::memcpy(y + (bi * O + o) * P, c + o * N + bi * P, static_cast<size_t>(P) * 4);
        });
    }
}

}  // namespace sdn::ops
