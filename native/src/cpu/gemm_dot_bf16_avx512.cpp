// The AVX512-BF16 block kernel of the bf16 GEMM and attention (cpu/gemm_bf16.h), for CPUs
// without AMX: VDPBF16PS multiplies 16 pairs of bf16 and adds both products of a pair to a
// float32 lane, so one instruction does the work of two float32 FMAs at the same throughput.
//
// A 32x32 block of C is walked as strips of 8 rows x 32 columns. A strip holds 16 zmm
// accumulators (8 rows x two 16-column halves): more independent chains than VDPBF16PS
// latency x throughput needs, with registers left for the two B rows and the A broadcast.
// Per K pair it loads the pair-interleaved B row of each half once and broadcasts the 32-bit
// (A[r, k], A[r, k + 1]) pair of each row (a memory-operand broadcast, no shuffle). Unlike
// the tile unit it can stop at the real depth and skip an empty half, which matters for
// attention's short heads (d = 40 is padded to 64 in the layouts).
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

// acc[i] += the pairs [0, pairs) of one 32-deep chunk: A row i's pair p at a + i * row + 2p,
// B half rows at b0 (+ b1 when HALVES is 2) + 32p.
template <int HALVES, int PAIRS>
inline void chunk(const uint16_t* a, int64_t row, const uint16_t* b0, const uint16_t* b1, int pairs,
                  __m512* acc0, __m512* acc1) {
#pragma GCC unroll 4
    for (int p = 0; p < (PAIRS ? PAIRS : pairs); ++p) {
        const __m512bh bv0 = reinterpret_cast<__m512bh>(_mm512_load_si512(b0 + p * 32));
        __m512bh bv1{};
        if (HALVES == 2) bv1 = reinterpret_cast<__m512bh>(_mm512_load_si512(b1 + p * 32));
#pragma GCC unroll 8
        for (int i = 0; i < kStripRows; ++i) {
            int32_t pair;
            std::memcpy(&pair, a + i * row + p * 2, 4);
            const __m512bh av = reinterpret_cast<__m512bh>(_mm512_set1_epi32(pair));
            acc0[i] = _mm512_dpbf16_ps(acc0[i], av, bv0);
            if (HALVES == 2) acc1[i] = _mm512_dpbf16_ps(acc1[i], av, bv1);
        }
    }
}

// C rows [0, rows) (rows <= 8) x columns [0, nr) (+)= 8 rows of A (the first at `a`, the
// others a.row apart; chunks a.chunk apart) times the B panel, over the depth kc.
template <int HALVES>
void strip(int64_t kc, const uint16_t* a, int64_t row, int64_t chunk_step, const uint16_t* b0,
           const uint16_t* b1, float* c, int64_t ldc, int rows, int nr, bool accumulate) {
    __m512 acc0[kStripRows], acc1[kStripRows];
    for (int i = 0; i < kStripRows; ++i) {
        acc0[i] = _mm512_setzero_ps();
        acc1[i] = _mm512_setzero_ps();
    }
    int64_t k = 0;
    for (; k + 32 <= kc; k += 32)
        chunk<HALVES, 16>(a + (k / 32) * chunk_step, row, b0 + k * 16, b1 + k * 16, 16, acc0, acc1);
    if (k < kc)  // the pairs up to kc (the rest of the chunk is zero padding)
        chunk<HALVES, 0>(a + (k / 32) * chunk_step, row, b0 + k * 16, b1 + k * 16,
                         static_cast<int>((kc - k + 1) / 2), acc0, acc1);
    for (int i = 0; i < rows; ++i)
        avx512_tile::store_row(c + i * ldc, acc0[i], acc1[i], nr, accumulate);
}

void dot_block(int64_t kc, int64_t kc_pad, const Bf16Rows& a, const uint16_t* b, float* c,
               int64_t ldc, int mr, int nr, bool accumulate) {
    const uint16_t* b1 = b + kc_pad * 16;
    for (int r0 = 0; r0 < mr; r0 += kStripRows) {
        // Rows 0-15 are the first 16-row half, 16-31 the second.
        const uint16_t* a_strip = a.p + (r0 / 16) * a.half + (r0 % 16) * a.row;
        const int rows = mr - r0 < kStripRows ? mr - r0 : kStripRows;
        if (nr > 16)
            strip<2>(kc, a_strip, a.row, a.chunk, b, b1, c + r0 * ldc, ldc, rows, nr, accumulate);
        else
            strip<1>(kc, a_strip, a.row, a.chunk, b, b1, c + r0 * ldc, ldc, rows, nr, accumulate);
    }
}

void nothing() {}

}  // namespace

const Bf16BlockKernel& dot_bf16_blocks() {
    static const Bf16BlockKernel kernel{nothing, nothing, dot_block};
    return kernel;
}

}  // namespace sdn::cpu
