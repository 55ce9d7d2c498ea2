// The AMX block kernel of the bf16 GEMM (cpu/gemm_bf16.h): a 32x32 block of C in four 16x16
// float tiles, multiplied with TDPBF16PS. A 16x16 f32 tile product over 32 K steps is one
// instruction, about 16 times the work of an AVX-512 FMA per cycle.
//
// Tiles: 0-3 hold a 32x32 block of C, 4-5 two 16-row slices of A (16 rows x 32 bf16),
// 6-7 two 16-column halves of a B panel in the pair-interleaved layout TDPBF16PS reads
// (row r holds B[2r][j], B[2r+1][j] for j < 16).
#include <immintrin.h>

#include <cstring>

#include "cpu/amx_tiles.h"
#include "cpu/gemm_bf16.h"

namespace sdn::cpu {

namespace {

constexpr int kPanel = 32;  // C block edge: two tiles each way

// C[32 x 32] (+)= A[32 x kc_pad] * B[kc_pad x 32] for 32 rows of A and one B panel, MT A tiles
// and NT B tiles live (a tile load reads 16 rows `a.row` elements apart). A full block loads
// and stores C in place; an edge block goes through a local buffer so no tile touches memory
// outside C.
template <int MT, int NT>
void tile_block(int64_t kc_pad, const Bf16Rows& a, const uint16_t* b, float* c, int64_t ldc, int mr, int nr,
                bool accumulate) {
    const bool full = mr == 16 * MT && nr == 16 * NT;
    alignas(64) float edge[kPanel * kPanel];
    float* base = c;
    int64_t stride = ldc * 4;
    if (!full) {
        base = edge;
        stride = kPanel * 4;
        std::memset(edge, 0, sizeof(edge));
        if (accumulate)
            for (int i = 0; i < mr; ++i) std::memcpy(edge + i * kPanel, c + i * ldc, static_cast<size_t>(nr) * 4);
    }
    if (accumulate || !full) {
        _tile_loadd(0, base, stride);
        if (NT > 1) _tile_loadd(1, base + 16, stride);
        if (MT > 1) _tile_loadd(2, reinterpret_cast<char*>(base) + 16 * stride, stride);
        if (MT > 1 && NT > 1) _tile_loadd(3, reinterpret_cast<char*>(base) + 16 * stride + 64, stride);
    } else {
        _tile_zero(0);
        if (NT > 1) _tile_zero(1);
        if (MT > 1) _tile_zero(2);
        if (MT > 1 && NT > 1) _tile_zero(3);
    }
    const uint16_t* b1 = b + kc_pad * 16;
    const int64_t a_stride = a.row * 2;
    for (int64_t k = 0; k < kc_pad; k += 32) {
        const uint16_t* a_chunk = a.p + (k / 32) * a.chunk;
        _tile_loadd(4, a_chunk, a_stride);
        _tile_loadd(6, b + k * 16, 64);
        if (NT > 1) _tile_loadd(7, b1 + k * 16, 64);
        if (MT > 1) _tile_loadd(5, a_chunk + a.half, a_stride);
        _tile_dpbf16ps(0, 4, 6);
        if (NT > 1) _tile_dpbf16ps(1, 4, 7);
        if (MT > 1) _tile_dpbf16ps(2, 5, 6);
        if (MT > 1 && NT > 1) _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(0, base, stride);
    if (NT > 1) _tile_stored(1, base + 16, stride);
    if (MT > 1) _tile_stored(2, reinterpret_cast<char*>(base) + 16 * stride, stride);
    if (MT > 1 && NT > 1) _tile_stored(3, reinterpret_cast<char*>(base) + 16 * stride + 64, stride);
    if (!full)
        for (int i = 0; i < mr; ++i) std::memcpy(c + i * ldc, edge + i * kPanel, static_cast<size_t>(nr) * 4);
}

// The tile unit always runs the whole padded depth (kc_pad is a multiple of its 32-deep step).
void amx_block(int64_t kc, int64_t kc_pad, const Bf16Rows& a, const uint16_t* b, float* c, int64_t ldc, int mr,
               int nr, bool accumulate) {
    if (mr > 16) {
        if (nr > 16) tile_block<2, 2>(kc_pad, a, b, c, ldc, mr, nr, accumulate);
        else tile_block<2, 1>(kc_pad, a, b, c, ldc, mr, nr, accumulate);
    } else {
        if (nr > 16) tile_block<1, 2>(kc_pad, a, b, c, ldc, mr, nr, accumulate);
        else tile_block<1, 1>(kc_pad, a, b, c, ldc, mr, nr, accumulate);
    }
}

void release_tiles() { _tile_release(); }

}  // namespace

const Bf16BlockKernel& amx_bf16_blocks() {
    static const Bf16BlockKernel kernel{amx::configure_tiles, release_tiles, amx_block};
    return kernel;
}

}  // namespace sdn::cpu
