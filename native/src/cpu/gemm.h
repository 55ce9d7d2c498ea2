// The blocked GEMM driver behind linear, conv2d and attention: C[M, N] (+)= A[M, K] * B[K, N].
// A is read in place (row-major with lda) or produced tile by tile by a loader (for weights
// stored in another type); B is packed panel by panel by a callback into the layout the
// micro-kernel streams (kc rows of gemm_nr floats). The work is split over M and N tiles on
// ctx's pool; each thread packs into its own scratch.
#pragma once

#include <cstdint>
#include <functional>

#include "core/context.h"
#include "cpu/kernel_table.h"
#include "quant/dtype.h"

namespace sdn::cpu {

struct GemmJob {
    int64_t M = 0, N = 0, K = 0;
    float* c = nullptr;
    int64_t ldc = 0;
    bool accumulate = false;

    // A in place (when load_a is empty)...
    const float* a = nullptr;
    int64_t lda = 0;
    // ...or loaded per tile: dst[r * kc + k] = A[m0 + r, k0 + k] for r < rows, k < kc.
    std::function<void(int64_t m0, int64_t rows, int64_t k0, int64_t kc, float* dst)> load_a;

    // panel[k * nr_max + j] = B[k0 + k, n0 + j] for k < kc, j < cols; zero for cols <= j < nr_max.
    std::function<void(int64_t n0, int64_t cols, int64_t k0, int64_t kc, int nr_max, float* panel)> pack_b;

    // Optional, for the bf16 paths: B columns [n0, n0 + cols) (cols <= 32), K rows [k0, k0 + kc)
    // written straight into the bf16 packed panel layout (cpu/gemm_bf16.h; zero past cols and
    // from kc to kc_pad), in place of pack_b's float32 panel and its conversion.
    std::function<void(int64_t n0, int64_t cols, int64_t k0, int64_t kc, int64_t kc_pad, uint16_t* dst)> pack_b_bf16;

    // Called once per finished C tile (rows m0.., columns n0..), e.g. to add a bias.
    std::function<void(int64_t m0, int64_t rows, int64_t n0, int64_t cols)> epilogue;

    // K tiles start at multiples of this (a weight's quant block size).
    int64_t k_align = 1;

    // Optional: the weight load_a reads, as [M, K] rows. The AMX path converts f16 and bf16
    // rows from it to bfloat16 directly (one pass, no float32 copy); other types, and the
    // float32 path, use load_a.
    const WeightRef* a_weight = nullptr;
    // Optional: the weight pack_b reads, as [N, K] rows (B is its transpose, as in linear).
    // The bf16 paths pack f16 and bf16 rows from it straight into their layout; other types,
    // and the float32 path, use pack_b.
    const WeightRef* b_weight = nullptr;
};

void run_gemm(Context& ctx, const KernelTable& kt, const GemmJob& job);

// Single-threaded GEMM of one tile job on the calling thread (used inside attention, which
// is already parallel over heads). Same semantics as run_gemm.
void run_gemm_serial(const KernelTable& kt, const GemmJob& job);

}  // namespace sdn::cpu
