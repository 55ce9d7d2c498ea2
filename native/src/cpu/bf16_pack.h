// bfloat16 conversions shared by the bf16 GEMM paths (the AMX tiles and the AVX512-BF16
// dot-product kernel): lane masks and the pair-interleaved layout both TDPBF16PS and
// VDPBF16PS read. Include only from files compiled with the AVX-512 BF16 flags (*_avx512.cpp,
// *_amx.cpp).
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "cpu/avx512_tile_rows.h"

namespace sdn::cpu::bf16 {

using avx512_tile::lanes16;

// Two rows of 16 floats (k and k + 1 of a B operand) as one row of the pair-interleaved
// layout the bf16 dot products read: bf16 values row_k[0], row_k1[0], row_k[1], row_k1[1], ...
inline __m512i interleave_pairs(__m512 row_k, __m512 row_k1) {
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    // Lanes 0-15 hold row k, 16-31 row k + 1; the permute interleaves them pairwise.
    return _mm512_permutexvar_epi16(order, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(row_k1, row_k)));
}

}  // namespace sdn::cpu::bf16
