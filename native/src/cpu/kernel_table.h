// The per-instruction-set kernels behind the ops: one table per cpu variant (scalar, AVX2,
// AVX-512), chosen at run time from ctx.cpu_variant(). The ops in ops.h do the blocking and
// threading once, in plain C++, and call into the table for the inner loops.
#pragma once

#include <cstdint>

#include "core/context.h"

namespace sdn::cpu {

struct Bf16BlockKernel;  // cpu/gemm_bf16.h

// C[mr, nr] (+)= A[mr, kc] * B[kc, nr]. A is one packed micro-panel: kc columns of
// `mr_max` floats (the table's gemm_mr; a[k * mr_max + i] = A[i, k]), so the kernel reads one
// contiguous stream. B is one packed panel: kc rows of `nr_max` floats (the table's gemm_nr),
// zero-padded past nr. Only the first mr rows and nr columns of C are written.
using GemmMicroKernel = void (*)(int64_t kc, const float* a_panel, const float* b_panel, float* c,
                                 int64_t ldc, int mr, int nr, bool accumulate);

struct KernelTable {
    const char* name;
    sdn_cpu_variant variant;  // what callers outside cpu/ (quant row kernels) are told to use
    int gemm_mr;  // rows of A per micro-kernel call
    int gemm_nr;  // columns of a packed B panel
    GemmMicroKernel gemm;
    // Set for the bf16 tables (AMX, AVX512-BF16): the GEMM driver and attention multiply
    // bfloat16 operands (float32 sums) with this block kernel (cpu/gemm_bf16.h) instead of
    // calling `gemm`, which stays the exact float32 kernel for the float32 paths.
    const Bf16BlockKernel* matrix_bf16 = nullptr;

    // Packing: dst[k * width + r] = src[r * ld + k] for r < rows, 0 for rows <= r < width,
    // k < kc. Turns `rows` row-major rows into one micro-kernel panel (A: width = gemm_mr;
    // B: width = gemm_nr).
    void (*pack_transposed)(const float* src, int64_t ld, int rows, int64_t kc, int width, float* dst);

    // In-place activations over n values.
    void (*silu)(float* x, int64_t n);
    void (*gelu_erf)(float* x, int64_t n);
    void (*gelu_tanh)(float* x, int64_t n);
    void (*quick_gelu)(float* x, int64_t n);
    // y[i] = x[i] * gelu_erf(x[d + i]) for one row.
    void (*geglu_row)(const float* x, int64_t d, float* y);

    void (*softmax_row)(float* x, int64_t n);
    void (*layer_norm_row)(const float* x, int64_t dim, float eps, const float* gamma,
                           const float* beta, float* y);
    // Sum and sum of squared deviations from `center` over n values (double accumulation).
    void (*sum_and_centered_squares)(const float* x, int64_t n, float center, double* sum,
                                     double* sq);
    // y = (x - center) * scale + shift, then SiLU when silu is set. Subtracting the mean
    // first keeps rows with a large offset exact (a folded x*scale + shift would not be).
    void (*scale_shift)(const float* x, int64_t n, float center, float scale, float shift, bool silu,
                        float* y);

    // Online softmax down the columns of a [rows, cols] block (row stride ld) of transposed
    // scores: per column c, max[c] and sum[c] are the running max and sum of exp over all
    // blocks so far; the block becomes exp(x - max_new), and correction[c] = exp(max_old -
    // max_new) is what earlier results must be scaled by. -inf entries (masked) become 0.
    void (*column_online_softmax)(float* x, int64_t rows, int64_t cols, int64_t ld, float* max,
                                  float* sum, float* correction);
    // x[r, c] *= f[c] for a [rows, cols] block with row stride ld.
    void (*scale_columns)(float* x, int64_t rows, int64_t cols, int64_t ld, const float* f);

    float (*row_max)(const float* x, int64_t n);
    // x[i] = exp(x[i] - shift); returns the sum of the new values.
    float (*exp_shifted_sum)(float* x, int64_t n, float shift);
    void (*scale_row)(float* x, int64_t n, float s);
};

const KernelTable& scalar_kernels();
const KernelTable& avx2_kernels();
const KernelTable& avx512_kernels();
const KernelTable& avx512_amx_kernels();
const KernelTable& avx512_bf16_kernels();

// The table for ctx's variant (AUTO resolves to the best the CPU supports).
const KernelTable& kernels_for(sdn_cpu_variant variant);
inline const KernelTable& kernels(Context& ctx) { return kernels_for(ctx.cpu_variant()); }

}  // namespace sdn::cpu
