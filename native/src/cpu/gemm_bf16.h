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

// Packed operands, as the driver lays them out (kc_pad is the K slice rounded up to 32):
//   A: rows in blocks of 16; each block is kc_pad / 32 tiles of 16 rows x 32 bf16 (1 KiB,
//      contiguous), element (r, k) of a block at (k / 32) * 512 + r * 32 + k % 32. A 32-row
//      block is two such 16-row blocks, the second 16 * kc_pad elements after the first.
//   B: a 32-column panel is two halves of 16 columns, the second kc_pad * 16 elements after
//      the first; half row k / 2 holds B[k][j], B[k + 1][j] for j < 16, pair-interleaved.
// Rows and columns past the operand's end are zero in both.
struct Bf16BlockKernel {
    // Run on a thread before and after its blocks (AMX: configure and release the tiles).
    void (*begin)();
    void (*end)();
    // C[mr x nr] (+)= A[32 x kc_pad] * B[kc_pad x 32] for one packed A row pair and one packed
    // B panel; mr, nr <= 32, and nothing of C outside them is touched.
    void (*block)(int64_t kc_pad, const uint16_t* a, const uint16_t* b, float* c, int64_t ldc,
                  int mr, int nr, bool accumulate);
};

const Bf16BlockKernel& amx_bf16_blocks();
const Bf16BlockKernel& dot_bf16_blocks();

// C rows [m0, m1) x columns [n0, n1) of the job, all of K, on the calling thread.
void gemm_block_bf16(const Bf16BlockKernel& kernel, const GemmJob& job, int64_t m0, int64_t m1,
                     int64_t n0, int64_t n1);

// Scratch bytes one gemm_block_bf16 call of `rows` x `cols` holds on its thread.
int64_t gemm_block_bf16_scratch_bytes(const GemmJob& job, int64_t rows, int64_t cols);

}  // namespace sdn::cpu
