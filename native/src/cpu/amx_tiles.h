// Pieces shared by the AMX kernels (gemm_tiles_amx.cpp, attention_tiles_amx.cpp): the tile
// configuration both use, and the bfloat16 conversions (cpu/bf16_pack.h) that lay operands
// out for TDPBF16PS.
// Include only from *_amx.cpp files, which are compiled with the AMX and AVX512-BF16 flags.
#pragma once

#include <immintrin.h>

#include <cstdint>

#include "cpu/bf16_pack.h"

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

// The bf16 helpers, under the names the AMX kernels use.
using bf16::interleave_pairs;
using bf16::lanes16;

}  // namespace sdn::cpu::amx
