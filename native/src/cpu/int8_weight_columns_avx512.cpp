// A q8_0 / q4_0 weight's rows as packed column panels (cpu/gemm_int8.h), 16 columns at a time.
// A linear's weight is packed on every call (no copy stays resident), and when few activation
// rows share it (the time embedding's 2, the 8x8 level's 128 tokens) packing is a large part
// of the op, so it runs in vectors: each column's 32 values of a block are loaded whole and the
// 16 x 8 matrix of 4-byte groups is transposed in registers (32-bit gathers, tried first, cost
// a quarter of the products' time on Zen 5).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked gather and conversion intrinsics as maybe-uninitialized (a
// known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstring>

#include "cpu/gemm_int8.h"
#include "quant/block_layouts.h"

namespace sdn::cpu::int8 {

namespace {

// Column j's 32 values of one block as 8 dwords (4 consecutive k each), signed.
inline __m256i column_block(const uint8_t* block, bool q8) {
    if (q8) return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(block + 2));
    // q4_0: byte i holds value i in its low nibble and value i + 16 in its high one, both + 8.
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + 2));
    const __m128i nibble = _mm_set1_epi8(15), eight = _mm_set1_epi8(8);
    const __m128i low = _mm_sub_epi8(_mm_and_si128(bytes, nibble), eight);
    const __m128i high = _mm_sub_epi8(_mm_and_si128(_mm_srli_epi16(bytes, 4), nibble), eight);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(low), high, 1);
}

struct ButterflyIndices {
    alignas(64) int32_t lo[3][16];
    alignas(64) int32_t hi[3][16];
};

// Step b's permutes: lane i of the pair's low result takes A[i] where lane bit b is clear and
// B[i without bit b] where set (16 + picks B); the high result A[i with bit b] or B[i].
constexpr ButterflyIndices butterfly_indices() {
    ButterflyIndices t{};
    for (int b = 0; b < 3; ++b)
        for (int i = 0; i < 16; ++i) {
            const bool upper = (i >> b) & 1;
            t.lo[b][i] = upper ? 16 + (i & ~(1 << b)) : i;
            t.hi[b][i] = upper ? 16 + i : (i | (1 << b));
        }
    return t;
}
constexpr ButterflyIndices kButterfly = butterfly_indices();

// z[p] holds column p in lanes 0-7 and column p + 8 in lanes 8-15 (dword g of each), so a
// dword's register index is bits 0-2 of its column j and its lane is (j bit 3, g). Three
// butterfly steps swap register bit b with lane bit b; afterwards z[g] lane j = dword g of
// column j, the layout's row g.
inline void transpose_groups(__m512i z[8]) {
    for (int b = 0; b < 3; ++b) {
        const __m512i lo_idx = _mm512_load_si512(kButterfly.lo[b]), hi_idx = _mm512_load_si512(kButterfly.hi[b]);
        for (int r = 0; r < 8; ++r) {
            if ((r >> b) & 1) continue;
            const __m512i a = z[r], c = z[r | (1 << b)];
            z[r] = _mm512_permutex2var_epi32(a, lo_idx, c);
            z[r | (1 << b)] = _mm512_permutex2var_epi32(a, hi_idx, c);
        }
    }
}

// Columns [n0, n0 + count) (count <= 16) into one 16-column half of the panel.
void pack_half(const WeightRef& w, int64_t n0, int count, int64_t b0, int64_t nb, int8_t* q, int32_t* corr,
               float* scale) {
    const bool q8 = w.type == DType::Q8_0;
    const int64_t row_bytes = dtype_row_bytes(w.type, w.row_elems());
    const int64_t block_bytes = q8 ? quant::kQ8_0Bytes : quant::kQ4_0Bytes;
    const auto* base = static_cast<const uint8_t*>(w.data) + n0 * row_bytes + b0 * block_bytes;
    const __m512i ones = _mm512_set1_epi8(1);
    for (int64_t b = 0; b < nb; ++b) {
        __m256i cols[16];
        alignas(32) uint16_t halves[16] = {};
        for (int j = 0; j < 16; ++j) {
            const uint8_t* block = base + j * row_bytes + b * block_bytes;
            cols[j] = j < count ? column_block(block, q8) : _mm256_setzero_si256();
            if (j < count) std::memcpy(&halves[j], block, 2);  // the block's f16 scale
        }
        _mm512_store_ps(scale + b * kPanel, _mm512_cvtph_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(halves))));
        __m512i z[8];
        for (int p = 0; p < 8; ++p) z[p] = _mm512_inserti64x4(_mm512_castsi256_si512(cols[p]), cols[p + 8], 1);
        transpose_groups(z);
        __m512i sum = _mm512_setzero_si512();
        for (int g = 0; g < kBlock / 4; ++g) {
            _mm512_store_si512(q + b * kPanelBlockBytes + g * 64, z[g]);
            sum = _mm512_dpbusd_epi32(sum, ones, z[g]);  // each lane's 4 signed bytes, summed
        }
        _mm512_store_si512(corr + b * kPanel, _mm512_mullo_epi32(sum, _mm512_set1_epi32(-128)));
    }
}

}  // namespace

void pack_weight_columns(const WeightRef& w, int64_t n0, int64_t cols, int64_t b0, int64_t nb, uint8_t* dst) {
    auto* q = reinterpret_cast<int8_t*>(dst);
    auto* corr = reinterpret_cast<int32_t*>(dst + nb * kPanelBlockBytes);
    auto* scale = reinterpret_cast<float*>(dst + nb * (kPanelBlockBytes + kPanel * 4));
    // The layout's halves interleave per block: half h of block b at b * 1024 + h * 512, its
    // corrections and scales at b * 32 + 16 h. pack_half writes with those strides.
    for (int h = 0; h < 2; ++h) {
        const int count = static_cast<int>(cols - 16 * h < 16 ? cols - 16 * h : 16);
        if (count <= 0) {
            for (int64_t b = 0; b < nb; ++b) {
                std::memset(q + b * kPanelBlockBytes + 512, 0, 512);
                std::memset(corr + b * kPanel + 16, 0, 64);
                std::memset(scale + b * kPanel + 16, 0, 64);
            }
            continue;
        }
        pack_half(w, n0 + 16 * h, count, b0, nb, q + h * 512, corr + 16 * h, scale + 16 * h);
    }
}

}  // namespace sdn::cpu::int8
