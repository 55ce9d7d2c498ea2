// The integer-product micro-kernel (cpu/gemm_int8.h): VPDPBUSD multiplies 64 unsigned bytes by
// 64 signed bytes and adds each lane's 4 products to an int32 lane, 4x the multiply-adds of a
// bf16 dot product per instruction. Unsigned x signed is why the row operand carries q + 128:
// each block's int32 sums start from the column's correction -128 * sum(q_col), which cancels
// the offset exactly (the sums stay far inside int32: 32 * 255 * 128 per block).
//
// Rows are walked in strips of 4 against a 32-column panel: per block, 8 int32 accumulators
// (4 rows x two 16-column halves) take 8 VPDPBUSD per group of 4 k (2 panel loads, 4 row
// broadcasts); at the block's end each is converted and FMA'd, times the row's scale x the
// column scales, into 8 float32 accumulators. Integer sums are exact, so the float FMA per
// block is the only rounding.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load intrinsics as maybe-uninitialized (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "cpu/avx512_tile_rows.h"
#include "cpu/gemm_int8.h"

namespace sdn::cpu::int8 {

namespace {

constexpr int kStripRows = 4;

template <int HALVES>
void strip(int64_t nb, const uint8_t* q, int64_t ldq, const float* scale, int64_t lds, const ColumnPanel& p,
           float* c, int64_t ldc, int rows, int nr, bool accumulate) {
    // Rows past `rows` repeat the last real row: computed, never stored, always in bounds.
    const uint8_t* row_q[kStripRows];
    const float* row_scale[kStripRows];
    for (int r = 0; r < kStripRows; ++r) {
        const int src = std::min(r, rows - 1);
        row_q[r] = q + src * ldq;
        row_scale[r] = scale + src * lds;
    }
    __m512 sum0[kStripRows], sum1[kStripRows];
    for (int r = 0; r < kStripRows; ++r) sum0[r] = sum1[r] = _mm512_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
        const int8_t* pb = p.q + b * kPanelBlockBytes;
        const __m512i corr0 = _mm512_load_si512(p.corr + b * kPanel);
        const __m512i corr1 = HALVES == 2 ? _mm512_load_si512(p.corr + b * kPanel + 16) : corr0;
        __m512i dot0[kStripRows], dot1[kStripRows];
        for (int r = 0; r < kStripRows; ++r) {
            dot0[r] = corr0;
            dot1[r] = corr1;
        }
#pragma GCC unroll 8
        for (int g = 0; g < kBlock / 4; ++g) {
            const __m512i cols0 = _mm512_load_si512(pb + g * 64);
            const __m512i cols1 = HALVES == 2 ? _mm512_load_si512(pb + 512 + g * 64) : cols0;
#pragma GCC unroll 4
            for (int r = 0; r < kStripRows; ++r) {
                int32_t four;
                std::memcpy(&four, row_q[r] + b * kBlock + 4 * g, 4);
                const __m512i a = _mm512_set1_epi32(four);
                dot0[r] = _mm512_dpbusd_epi32(dot0[r], a, cols0);
                if (HALVES == 2) dot1[r] = _mm512_dpbusd_epi32(dot1[r], a, cols1);
            }
        }
        const __m512 col_scale0 = _mm512_load_ps(p.scale + b * kPanel);
        const __m512 col_scale1 = HALVES == 2 ? _mm512_load_ps(p.scale + b * kPanel + 16) : col_scale0;
        for (int r = 0; r < kStripRows; ++r) {
            const __m512 d = _mm512_set1_ps(row_scale[r][b]);
            sum0[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot0[r]), _mm512_mul_ps(d, col_scale0), sum0[r]);
            if (HALVES == 2)
                sum1[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot1[r]), _mm512_mul_ps(d, col_scale1), sum1[r]);
        }
    }
    for (int r = 0; r < rows; ++r) avx512_tile::store_row(c + r * ldc, sum0[r], sum1[r], nr, accumulate);
}

}  // namespace

void multiply_panel(int64_t nb, const uint8_t* q, int64_t ldq, const float* scale, int64_t lds,
                    const ColumnPanel& cols, float* c, int64_t ldc, int mr, int nr, bool accumulate) {
    for (int r0 = 0; r0 < mr; r0 += kStripRows) {
        const int rows = std::min(kStripRows, mr - r0);
        if (nr > 16)
            strip<2>(nb, q + r0 * ldq, ldq, scale + r0 * lds, lds, cols, c + r0 * ldc, ldc, rows, nr, accumulate);
        else
            strip<1>(nb, q + r0 * ldq, ldq, scale + r0 * lds, lds, cols, c + r0 * ldc, ldc, rows, nr, accumulate);
    }
}

}  // namespace sdn::cpu::int8
