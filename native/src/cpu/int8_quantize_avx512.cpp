// Quantizing the float operand of the integer products (cpu/gemm_int8.h) by the q8_0 rule, per
// 32-block along K: d = max|x| / 127, q = round(x * (127 / max|x|)) to nearest, ties to even
// (the conversion's default rounding). Rows (linear's activations) go to the u8 row layout,
// gathered conv panels to the packed column layout; both compute the block scale the same way
// so a value quantizes identically whichever operand it lands in.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load and conversion intrinsics as maybe-uninitialized (a
// known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <limits>

#include "cpu/gemm_int8.h"

namespace sdn::cpu::int8 {

namespace {

inline __m512 abs_ps(__m512 v) { return _mm512_abs_ps(v); }

// 127 / m per lane, 0 where m is 0 (an all-zero block quantizes to zeros).
inline __m512 inverse_steps(__m512 m) {
    const __mmask16 live = _mm512_cmp_ps_mask(m, _mm512_setzero_ps(), _CMP_GT_OQ);
    return _mm512_maskz_div_ps(live, _mm512_set1_ps(127.0f), m);
}

}  // namespace

void quantize_rows(const float* x, int64_t ldx, int64_t rows, int64_t nb, uint8_t* q, float* scale) {
    const __m512i offset = _mm512_set1_epi32(128);
    for (int64_t i = 0; i < rows; ++i) {
        const float* row = x + i * ldx;
        for (int64_t b = 0; b < nb; ++b) {
            const __m512 lo = _mm512_loadu_ps(row + b * kBlock), hi = _mm512_loadu_ps(row + b * kBlock + 16);
            const float amax = _mm512_reduce_max_ps(_mm512_max_ps(abs_ps(lo), abs_ps(hi)));
            // A NaN would drop out of the max; its block's scale carries it to the outputs.
            const bool nan = _mm512_cmp_ps_mask(lo, hi, _CMP_UNORD_Q) != 0;  // lo[j] or hi[j] is NaN
            scale[i * nb + b] = nan ? std::numeric_limits<float>::quiet_NaN() : amax / 127.0f;
            const __m512 inv = _mm512_set1_ps(amax > 0.0f ? 127.0f / amax : 0.0f);
            const __m512i qlo = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(lo, inv)), offset);
            const __m512i qhi = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(hi, inv)), offset);
            uint8_t* dst = q + (i * nb + b) * kBlock;
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), _mm512_cvtepi32_epi8(qlo));
            _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + 16), _mm512_cvtepi32_epi8(qhi));
        }
    }
}

void quantize_column_panel(const float* panel, int64_t nb, uint8_t* dst) {
    auto* corr = reinterpret_cast<int32_t*>(dst + nb * kPanelBlockBytes);
    auto* scale = reinterpret_cast<float*>(dst + nb * (kPanelBlockBytes + kPanel * 4));
    const __m512i low_byte = _mm512_set1_epi32(0xff);
    for (int64_t b = 0; b < nb; ++b) {
        const float* rows = panel + b * kBlock * kPanel;
        for (int h = 0; h < 2; ++h) {
            // The block's largest magnitude per column: a running max down its 32 rows.
            __m512 amax = _mm512_setzero_ps();
            __mmask16 nan = 0;  // columns holding a NaN, which the max would drop
            for (int k = 0; k < kBlock; ++k) {
                const __m512 v = _mm512_load_ps(rows + k * kPanel + 16 * h);
                amax = _mm512_max_ps(amax, abs_ps(v));
                nan |= _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
            }
            const __m512 d = _mm512_div_ps(amax, _mm512_set1_ps(127.0f));
            _mm512_store_ps(scale + b * kPanel + 16 * h,
                            _mm512_mask_mov_ps(d, nan, _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN())));
            const __m512 inv = inverse_steps(amax);
            __m512i sum = _mm512_setzero_si512();
            auto* out = reinterpret_cast<__m512i*>(dst + b * kPanelBlockBytes + h * 512);
            for (int g = 0; g < kBlock / 4; ++g) {
                // Four consecutive k of 16 columns become one 32-bit lane per column, k in
                // ascending byte order.
                __m512i lanes = _mm512_setzero_si512();
                for (int t = 0; t < 4; ++t) {
                    const __m512 v = _mm512_load_ps(rows + (4 * g + t) * kPanel + 16 * h);
                    const __m512i qv = _mm512_cvtps_epi32(_mm512_mul_ps(v, inv));
                    sum = _mm512_add_epi32(sum, qv);
                    lanes = _mm512_or_si512(lanes, _mm512_slli_epi32(_mm512_and_si512(qv, low_byte), 8 * t));
                }
                _mm512_store_si512(out + g, lanes);
            }
            _mm512_store_si512(corr + b * kPanel + 16 * h, _mm512_mullo_epi32(sum, _mm512_set1_epi32(-128)));
        }
    }
}

}  // namespace sdn::cpu::int8
