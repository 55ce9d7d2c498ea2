// The AVX512-BF16 block kernel of the bf16 GEMM (cpu/gemm_bf16.h), for CPUs without AMX:
// VDPBF16PS multiplies 16 pairs of bf16 and adds both products of a pair to a float32 lane,
// so one instruction does the work of two float32 FMAs at the same throughput.
//
// A 32x32 block of C is walked as four strips of 8 rows x 32 columns. A strip holds 16 zmm
// accumulators (8 rows x two 16-column halves): more independent chains than VDPBF16PS
// latency x throughput needs, with registers left for the two B rows and the A broadcast.
// Per K pair it loads the pair-interleaved B row of each half once and broadcasts the 32-bit
// (A[r, k], A[r, k + 1]) pair of each row (a memory-operand broadcast, no shuffle).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load intrinsics as maybe-uninitialized (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstring>

#include "cpu/avx512_tile_rows.h"
#include "cpu/gemm_bf16.h"

namespace sdn::cpu {

namespace {

constexpr int kStripRows = 8;

// C rows [0, rows) (rows <= 8) x columns [0, nr) (+)= strip rows of A * the B panel. `a` points
// at the strip's first row inside its 16-row block (element (r, k) at (k / 32) * 512 + r * 32
// + k % 32 from it); b0 and b1 at the panel's two halves.
void strip(int64_t kc_pad, const uint16_t* a, const uint16_t* b0, const uint16_t* b1, float* c,
           int64_t ldc, int rows, int nr, bool accumulate) {
    __m512 acc0[kStripRows], acc1[kStripRows];
    for (int i = 0; i < kStripRows; ++i) {
        acc0[i] = _mm512_setzero_ps();
        acc1[i] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < kc_pad; k += 32) {
        const uint16_t* at = a + k * 16;  // this K chunk's tile
        const uint16_t* bt0 = b0 + k * 16;
        const uint16_t* bt1 = b1 + k * 16;
#pragma GCC unroll 4
        for (int p = 0; p < 16; ++p) {
            const __m512bh bv0 = reinterpret_cast<__m512bh>(_mm512_load_si512(bt0 + p * 32));
            const __m512bh bv1 = reinterpret_cast<__m512bh>(_mm512_load_si512(bt1 + p * 32));
#pragma GCC unroll 8
            for (int i = 0; i < kStripRows; ++i) {
                int32_t pair;
                std::memcpy(&pair, at + i * 32 + p * 2, 4);
                const __m512bh av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
                acc0[i] = _mm512_dpbf16_ps(acc0[i], av, bv0);
                acc1[i] = _mm512_dpbf16_ps(acc1[i], av, bv1);
            }
        }
    }
    for (int i = 0; i < rows; ++i) avx512_tile::store_row(c + i * ldc, acc0[i], acc1[i], nr, accumulate);
}

void dot_block(int64_t kc_pad, const uint16_t* a, const uint16_t* b, float* c, int64_t ldc, int mr,
               int nr, bool accumulate) {
    const uint16_t* b1 = b + kc_pad * 16;
    for (int r0 = 0; r0 < mr; r0 += kStripRows) {
        // Rows 0-15 live in the first 16-row block, 16-31 in the second.
        const uint16_t* a_strip = a + (r0 / 16) * 16 * kc_pad + (r0 % 16) * 32;
        const int rows = mr - r0 < kStripRows ? mr - r0 : kStripRows;
        strip(kc_pad, a_strip, b, b1, c + r0 * ldc, ldc, rows, nr, accumulate);
    }
}

void nothing() {}

}  // namespace

const Bf16BlockKernel& dot_bf16_blocks() {
    static const Bf16BlockKernel kernel{nothing, nothing, dot_block};
    return kernel;
}

}  // namespace sdn::cpu
