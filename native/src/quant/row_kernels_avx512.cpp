// AVX-512 row kernels (used only when the context's variant is AVX512): 16 values per
// instruction for conversions and for widening a block's 16 bytes to floats.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's own AVX-512 intrinsics trip its uninitialized warnings (a known false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstring>

#include "core/half.h"
#include "quant/block_kernels.h"
#include "quant/block_layouts.h"

namespace sdn::quant {
namespace {

inline void emit16(__m128i s8, float d, float* y) {
    _mm512_storeu_ps(y, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(s8)), _mm512_set1_ps(d)));
}

inline void emit16_affine(__m128i s8, float d, float m, float* y) {
    const __m512 v = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(s8));
    _mm512_storeu_ps(y, _mm512_add_ps(_mm512_mul_ps(v, _mm512_set1_ps(d)), _mm512_set1_ps(m)));
}

#include "quant/row_kernels_simd.inc"

bool dequantize(DType t, const uint8_t* src, float* dst, int64_t n) { return simd_dequantize(t, src, dst, n); }

void f16_to_f32(const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
    if (i < n) {  // masked tail: no scalar loop
        const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
        _mm512_mask_storeu_ps(dst + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, src + i)));
    }
}

void f32_to_f16(const float* src, uint16_t* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i),
                            _mm512_cvtps_ph(_mm512_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; ++i) dst[i] = sdn::f32_to_f16(src[i]);
}

void bf16_to_f32(const uint16_t* src, float* dst, int64_t n) {
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512i w = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i)));
        _mm512_storeu_ps(dst + i, _mm512_castsi512_ps(_mm512_slli_epi32(w, 16)));
    }
    for (; i < n; ++i) dst[i] = sdn::bf16_to_f32(src[i]);
}

// Integer rounding (not VCVTNEPS2BF16, which flushes denormals) so results match the scalar
// conversion bit for bit.
void f32_to_bf16(const float* src, uint16_t* dst, int64_t n) {
    int64_t i = 0;
    const __m512i abs_mask = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000);
    const __m512i bias = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1), quiet = _mm512_set1_epi32(0x40);
    for (; i + 16 <= n; i += 16) {
        __m512i x = _mm512_castps_si512(_mm512_loadu_ps(src + i));
        __m512i rounded = _mm512_srli_epi32(
            _mm512_add_epi32(x, _mm512_add_epi32(bias, _mm512_and_si512(_mm512_srli_epi32(x, 16), one))), 16);
        __m512i nan = _mm512_or_si512(_mm512_srli_epi32(x, 16), quiet);
        __mmask16 is_nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(x, abs_mask), inf);
        __m512i r = _mm512_mask_blend_epi32(is_nan, rounded, nan);
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm512_cvtepi32_epi16(r));
    }
    for (; i < n; ++i) dst[i] = sdn::f32_to_bf16(src[i]);
}

float dot(const float* a, const float* b, int64_t n) {
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
    }
    for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
    for (; i < n; ++i) sum += a[i] * b[i];
    return sum;
}

}  // namespace

const FastRowKernels& avx512_row_kernels() {
    static const FastRowKernels k{dequantize, f16_to_f32, f32_to_f16, bf16_to_f32, f32_to_bf16, dot};
    return k;
}

}  // namespace sdn::quant
