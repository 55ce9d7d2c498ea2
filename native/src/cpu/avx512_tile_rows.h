// Writing a register tile's rows back to C, shared by the AVX-512 micro-kernels (the float32
// one in kernels_avx512.cpp, the bf16 dot-product one in gemm_dot_bf16_avx512.cpp). Include
// only from files compiled with the AVX-512 flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace sdn::cpu::avx512_tile {

// The first n of 16 lanes (none when n <= 0).
inline __mmask16 lanes16(int64_t n) {
    return n >= 16 ? __mmask16(0xffff) : n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1);
}

// C row c[0, nr) (nr <= 32) (+)= the two 16-column halves lo, hi of a tile row.
inline void store_row(float* c, __m512 lo, __m512 hi, int nr, bool accumulate) {
    const __mmask16 m0 = lanes16(nr), m1 = lanes16(nr - 16);
    if (accumulate) {
        lo = _mm512_add_ps(lo, _mm512_maskz_loadu_ps(m0, c));
        hi = _mm512_add_ps(hi, _mm512_maskz_loadu_ps(m1, c + 16));
    }
    _mm512_mask_storeu_ps(c, m0, lo);
    _mm512_mask_storeu_ps(c + 16, m1, hi);
}

}  // namespace sdn::cpu::avx512_tile
