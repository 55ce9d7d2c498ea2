// The bfloat16 paths of the GEMM driver, used when the context's kernel table has matrix_bf16
// set: the f32 operands the job's callbacks produce are rounded to bfloat16 (round to nearest
// even) as they are packed, and multiplied with float32 sums. Same job semantics as
// gemm_block in gemm.cpp. The packing and blocking (gemm_bf16_avx512.cpp) are shared; what
// multiplies one 32x32 block of C differs by CPU:
//   - amx_bf16_blocks(): the AMX tile unit (TDPBF16PS), Sapphire Rapids and later;
//   - dot_bf16_blocks(): AVX512-BF16 dot products (VDPBF16PS) in zmm registers, for CPUs
//     with AVX512-BF16 but no AMX (AMD Zen 4/5, Cooper Lake).
#pragma once

#include <cstdint>

#include "cpu/gemm.h"

namespace sdn::cpu {

// 32 rows of a bf16 A operand, wherever they are: element (r, k) (r < 32, k < kc_pad) at
//   p + (r / 16) * half + (r % 16) * row + (k / 32) * chunk + k % 32.
// The GEMM driver packs A tile by tile (row 32, chunk 512: each 16 x 32 tile one contiguous
// KiB; half 16 * kc_pad); attention reads row-major rows (row lda, chunk 32, half 16 * lda).
struct Bf16Rows {
    const uint16_t* p;
    int64_t row, chunk, half;
};

// B, as both paths lay it out: a 32-column panel is two halves of 16 columns, the second
// kc_pad * 16 elements after the first; half row k / 2 holds B[k][j], B[k + 1][j] for j < 16,
// pair-interleaved; B is 64-byte aligned (its rows are loaded aligned). Rows and columns past
// the operands' ends are zero in A and B.
struct Bf16BlockKernel {
    // Run on a thread before and after its blocks (AMX: configure and release the tiles).
    void (*begin)();
    void (*end)();
    // C[mr x nr] (+)= A[32 x kc] * B[kc x 32] for 32 rows of A and one B panel; mr, nr <= 32,
    // and nothing of C outside them is touched. kc_pad (kc rounded up to 32) is the layouts'
    // depth; A and B are zero from kc to kc_pad, so a kernel may stop at kc or run to kc_pad.
    void (*block)(int64_t kc, int64_t kc_pad, const Bf16Rows& a, const uint16_t* b, float* c,
                  int64_t ldc, int mr, int nr, bool accumulate);
};

const Bf16BlockKernel& amx_bf16_blocks();
const Bf16BlockKernel& dot_bf16_blocks();

// C rows [m0, m1) x columns [n0, n1) of the job, all of K, on the calling thread.
void gemm_block_bf16(const Bf16BlockKernel& kernel, const GemmJob& job, int64_t m0, int64_t m1,
                     int64_t n0, int64_t n1);

// Scratch bytes one gemm_block_bf16 call of `rows` x `cols` holds on its thread.
int64_t gemm_block_bf16_scratch_bytes(const GemmJob& job, int64_t rows, int64_t cols);

}  // namespace sdn::cpu
