// Pieces shared by the AMX kernels (gemm_tiles_amx.cpp, attention_tiles_amx.cpp): the tile
// configuration both use and the bfloat16 conversions that lay operands out for TDPBF16PS.
// Include only from *_amx.cpp files, which are compiled with the AMX and AVX512-BF16 flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

namespace sdn::cpu::amx {

// Palette 1 with all eight tiles at 16 rows x 64 bytes: a 16x16 float tile for C, a
// 16x32 bf16 tile for A, a 16-pair x 16-column tile for B. Tile state is per thread, so each
// kernel call configures it on the thread it runs on.
inline void configure_tiles() {
    struct alignas(64) TileConfig {
        uint8_t palette = 1;
        uint8_t start_row = 0;
        uint8_t reserved[14] = {};
        uint16_t colsb[16] = {};
        uint8_t rows[16] = {};
    } cfg;
    for (int t = 0; t < 8; ++t) {
        cfg.colsb[t] = 64;
        cfg.rows[t] = 16;
    }
    _tile_loadconfig(&cfg);
}

// The first n of 16 lanes (none when n <= 0).
inline __mmask16 lanes16(int64_t n) {
    return n >= 16 ? __mmask16(0xffff) : n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1);
}

// Two rows of 16 floats (k and k + 1 of a B operand) as one row of the pair-interleaved
// layout TDPBF16PS reads: bf16 values row_k[0], row_k1[0], row_k[1], row_k1[1], ...
inline __m512i interleave_pairs(__m512 row_k, __m512 row_k1) {
    const __m512i order = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8,
                                           23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    // Lanes 0-15 hold row k, 16-31 row k + 1; the permute interleaves them pairwise.
    return _mm512_permutexvar_epi16(order, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(row_k1, row_k)));
}

}  // namespace sdn::cpu::amx
