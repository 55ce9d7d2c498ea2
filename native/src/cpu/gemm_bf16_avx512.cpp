// The packing and blocking of the bf16 GEMM paths (cpu/gemm_bf16.h): the f32 operands the
// job's callbacks produce are rounded to bfloat16 (round to nearest even) as they are packed,
// into the layouts the block kernels read, and each operand is packed once per block. With
// bf16 products 2x (dot products) to 16x (AMX tiles) faster than f32 FMAs, packing (im2col
// gathers, weight conversion) costs as much as a good part of the multiply.
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load and conversion intrinsics as maybe-uninitialized (a
// known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "cpu/bf16_pack.h"
#include "cpu/gemm_bf16.h"
#include "cpu/scratch.h"

namespace sdn::cpu {

namespace {

constexpr int64_t kAmxTileK = 512;   // K per packed slice (multiple of 32 and of 256-element quant blocks)
constexpr int64_t kAmxTileN = 256;   // streamed columns per B sub-tile
constexpr int64_t kAmxTileM = 256;   // streamed rows per A sub-tile
constexpr int64_t kWideB = 512;      // most packed B columns a block with in-place A holds at once
constexpr int kPanel = 32;           // C block edge: two tiles each way

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// The K slice: all of K when short, else up to kAmxTileK, smaller when the operand packed for
// the whole block (`resident` rows or columns) would not stay in L2 (about 512 KiB of it).
int64_t pick_tile_k(int64_t K, int64_t align, int64_t resident) {
    if (K <= kAmxTileK + kAmxTileK / 2) return K;
    int64_t kc = kAmxTileK;
    while (kc > 128 && resident * kc * 2 > (int64_t(512) << 10)) kc /= 2;
    return std::max<int64_t>(align, kc / align * align);
}

// 32 bf16 from 32 f32 (fewer when n < 32; the rest zero).
inline __m512i to_bf16x32(const float* src, int64_t n) {
    const __m512 a = _mm512_maskz_loadu_ps(bf16::lanes16(n), src), b = _mm512_maskz_loadu_ps(bf16::lanes16(n - 16), src + 16);
    return reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(b, a));
}

// Packed A is laid out tile by tile: rows in blocks of 16, each block as kc_pad / 32 tiles of
// 16 rows x 32 bf16 (1 KiB, contiguous), so a tile load reads one contiguous KiB instead of 16
// rows a whole K slice apart. Element (r, k) lives at a_slot(r, k).
inline int64_t a_slot(int64_t kc_pad, int64_t r, int64_t k) {
    return (r / 16) * 16 * kc_pad + (k / 32) * 512 + (r % 16) * 32 + k % 32;
}

// Zero rows [rows, rows_pad) of a packed A.
void zero_pad_rows(int64_t rows, int64_t rows_pad, int64_t kc_pad, uint16_t* dst) {
    for (int64_t r = rows; r < rows_pad; ++r)
        for (int64_t k = 0; k < kc_pad; k += 32) std::memset(dst + a_slot(kc_pad, r, k), 0, 64);
}

// Packed A (r, k) = bf16(src[r * ld + k]) for r < rows, k < kc; zero for k in [kc, kc_pad)
// and for rows in [rows, rows_pad).
void pack_a_rows(const float* src, int64_t ld, int64_t rows, int64_t rows_pad, int64_t kc, int64_t kc_pad,
                 uint16_t* dst) {
    for (int64_t r = 0; r < rows; ++r) {
        const float* s = src + r * ld;
        for (int64_t k = 0; k < kc_pad; k += 32)
            _mm512_store_si512(dst + a_slot(kc_pad, r, k), to_bf16x32(s + k, kc - k));
    }
    zero_pad_rows(rows, rows_pad, kc_pad, dst);
}

// Rows [m0, m0 + rows) of an f16 or bf16 weight stored as [M, K], columns [k0, k0 + kc), as
// packed A (zero padded to rows_pad x kc_pad). f16 -> f32 is exact, so this rounds once.
void pack_a_weight(const WeightRef& w, int64_t m0, int64_t rows, int64_t rows_pad, int64_t k0, int64_t kc,
                   int64_t kc_pad, uint16_t* dst) {
    const int64_t K = w.row_elems();
    const auto* base = static_cast<const uint16_t*>(w.data) + m0 * K + k0;
    for (int64_t r = 0; r < rows; ++r) {
        const uint16_t* s = base + r * K;
        for (int64_t k = 0; k < kc_pad; k += 32) {
            uint16_t* d = dst + a_slot(kc_pad, r, k);
            const int64_t n = std::min<int64_t>(32, kc - k);
            const __mmask32 m = n >= 32 ? __mmask32(0xffffffffu) : n <= 0 ? __mmask32(0) : __mmask32((1u << n) - 1);
            const __m512i h = _mm512_maskz_loadu_epi16(m, s + k);
            if (w.type == DType::BF16) {
                _mm512_store_si512(d, h);
            } else {
                const __m512 lo = _mm512_cvtph_ps(_mm512_castsi512_si256(h));
                const __m512 hi = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(h, 1));
                _mm512_store_si512(d, reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo)));
            }
        }
    }
    zero_pad_rows(rows, rows_pad, kc_pad, dst);
}

// One f32 panel (kc rows of 32 floats) into two pair-interleaved halves, each
// [kc_pad / 2][16][2] bf16: half h, row r = B[2r][16h + j], B[2r + 1][16h + j] interleaved.
void pack_b_panel(const float* panel, int64_t kc, int64_t kc_pad, uint16_t* dst) {
    uint16_t* half0 = dst;
    uint16_t* half1 = dst + kc_pad * 16;
    const __m512 zero = _mm512_setzero_ps();
    for (int64_t k = 0; k < kc_pad; k += 2) {
        const float* r0 = panel + k * kPanel;
        const bool have0 = k < kc, have1 = k + 1 < kc;
        const __m512 a0 = have0 ? _mm512_load_ps(r0) : zero, a1 = have0 ? _mm512_load_ps(r0 + 16) : zero;
        const __m512 b0 = have1 ? _mm512_load_ps(r0 + kPanel) : zero, b1 = have1 ? _mm512_load_ps(r0 + kPanel + 16) : zero;
        _mm512_store_si512(half0 + k * 16, bf16::interleave_pairs(a0, b0));
        _mm512_store_si512(half1 + k * 16, bf16::interleave_pairs(a1, b1));
    }
}

// A rows i0.. of the driver's packed A (tile by tile, rows in blocks of 16).
Bf16Rows packed_rows(const uint16_t* a, int64_t i0, int64_t kc_pad) {
    return {a + i0 * kc_pad, 32, 512, 16 * kc_pad};
}

// Columns [n0, n0 + cols) (cols <= 32) of B = W^T for an f16 or bf16 weight W stored [N, K],
// K slice [k0, k0 + kc), as one packed panel (zero past cols and from kc to kc_pad). A half row
// of the layout is (W[j][k], W[j][k + 1]) for 16 rows j: one 32-bit gather of the adjacent pair
// from each row, converted to bf16 in place, so f16 -> f32 -> transposed f32 -> bf16 passes
// are skipped. f16 -> f32 is exact, so this rounds once, as the general path does.
void pack_b_weight(const WeightRef& w, int64_t n0, int64_t cols, int64_t k0, int64_t kc, int64_t kc_pad,
                   uint16_t* dst) {
    const int64_t K = w.row_elems();
    const auto* base = static_cast<const uint16_t*>(w.data) + n0 * K + k0;
    const int64_t even = kc / 2 * 2;  // pairs wholly inside the slice
    for (int h = 0; h < 2; ++h) {
        uint16_t* half = dst + h * kc_pad * 16;
        const __mmask16 live = bf16::lanes16(cols - 16 * h);
        // Element offsets (in halves) of rows 16h + j.
        const __m512i rows = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                                _mm512_set1_epi32(static_cast<int32_t>(K)));
        const __m512i first = _mm512_add_epi32(rows, _mm512_set1_epi32(static_cast<int32_t>(16 * h * K)));
        for (int64_t k = 0; k < kc_pad; k += 2) {
            __m512i pairs = _mm512_setzero_si512();
            if (k < even) {
                const __m512i at = _mm512_add_epi32(first, _mm512_set1_epi32(static_cast<int32_t>(k)));
                pairs = _mm512_mask_i32gather_epi32(pairs, live, at, base, 2);
            } else if (k < kc) {
                // The odd last element alone: its neighbour is outside the slice (maybe outside
                // the weight), so it is read by itself.
                alignas(64) uint32_t lone[16] = {};
                for (int j = 0; j < 16 && 16 * h + j < cols; ++j) lone[j] = base[(16 * h + j) * K + k];
                pairs = _mm512_load_si512(lone);
            }
            if (w.type == DType::F16) {
                const __m512 lo = _mm512_cvtph_ps(_mm512_castsi512_si256(pairs));
                const __m512 hi = _mm512_cvtph_ps(_mm512_extracti64x4_epi64(pairs, 1));
                pairs = reinterpret_cast<__m512i>(_mm512_cvtne2ps_pbh(hi, lo));
            }
            _mm512_store_si512(half + k * 16, pairs);
        }
    }
}

void multiply_block(const Bf16BlockKernel& kernel, int64_t kc, int64_t kc_pad, const uint16_t* a,
                    int64_t rows, const uint16_t* b, int64_t cols, float* c, int64_t ldc,
                    bool accumulate) {
    for (int64_t p = 0; p * kPanel < cols; ++p) {
        const int nr = static_cast<int>(std::min<int64_t>(kPanel, cols - p * kPanel));
        const uint16_t* bp = b + p * kPanel * kc_pad;
        for (int64_t i0 = 0; i0 < rows; i0 += kPanel) {
            const int mr = static_cast<int>(std::min<int64_t>(kPanel, rows - i0));
            float* cp = c + i0 * ldc + p * kPanel;
            kernel.block(kc, kc_pad, packed_rows(a, i0, kc_pad), bp, cp, ldc, mr, nr, accumulate);
        }
    }
}

// The weight-rows case with K in several slices: C would be read and written once per slice,
// and C's rows are a whole image row of pixels apart (tens of KiB), so every tile load touches
// 16 pages. Instead the slices accumulate into a local buffer of 32x32 blocks stored one after
// another ([panel][row pair][32 x 32]), and C is written once.
void accumulate_blocks(const Bf16BlockKernel& kernel, int64_t kc, int64_t kc_pad, const uint16_t* a,
                       int64_t row_pairs, const uint16_t* b, int64_t panels, float* acc,
                       bool first) {
    for (int64_t p = 0; p < panels; ++p)
        for (int64_t i = 0; i < row_pairs; ++i)
            kernel.block(kc, kc_pad, packed_rows(a, i * kPanel, kc_pad), b + p * kPanel * kc_pad,
                         acc + (p * row_pairs + i) * kPanel * kPanel, kPanel, kPanel, kPanel, !first);
}

// C[rows x cols] (+)= the accumulator's blocks.
void flush_blocks(const float* acc, int64_t rows, int64_t cols, float* c, int64_t ldc, bool accumulate) {
    const int64_t row_pairs = (rows + kPanel - 1) / kPanel;
    for (int64_t p = 0; p * kPanel < cols; ++p) {
        const int64_t n = std::min<int64_t>(kPanel, cols - p * kPanel);
        for (int64_t r = 0; r < rows; ++r) {
            const float* src = acc + (p * row_pairs + r / kPanel) * kPanel * kPanel + (r % kPanel) * kPanel;
            float* dst = c + r * ldc + p * kPanel;
            if (accumulate)
                for (int64_t j = 0; j < n; ++j) dst[j] += src[j];
            else
                std::memcpy(dst, src, static_cast<size_t>(n) * 4);
        }
    }
}

}  // namespace

void gemm_block_bf16(const Bf16BlockKernel& kernel, const GemmJob& job, int64_t m0, int64_t m1, int64_t n0,
                     int64_t n1) {
    const bool weight_a = static_cast<bool>(job.load_a);
    if (!weight_a && n1 - n0 > kWideB && job.K > kAmxTileK + kAmxTileK / 2) {
        // A wide block with K in several slices (a linear with thousands of output features
        // per thread) goes in column chunks: packing all its columns per slice would shrink
        // the slice to 128 to keep the packed B in L2, and C (512 x 5120 floats, 10 MB) was then
        // read and written once per slice, twice the time of the op's neighbours. Re-packing
        // the activations once per chunk costs far less.
        for (int64_t c0 = n0; c0 < n1; c0 += kWideB)
            gemm_block_bf16(kernel, job, m0, m1, c0, std::min(n1, c0 + kWideB));
        return;
    }
    kernel.begin();
    const bool direct_weight = weight_a && job.a_weight &&
                               (job.a_weight->type == DType::F16 || job.a_weight->type == DType::BF16);
    const int64_t rows = m1 - m0, cols = n1 - n0;
    const int64_t tile_k = pick_tile_k(job.K, job.k_align, weight_a ? rows : cols);
    const int64_t kc_max_pad = round_up(tile_k, 32);
    const int64_t sub_m = weight_a ? rows : std::min(rows, kAmxTileM);
    const int64_t sub_n = weight_a ? std::min(cols, kAmxTileN) : cols;
    // Scratch is handed out in floats; two bf16 fit in one.
    auto* a_packed = reinterpret_cast<uint16_t*>(
        thread_scratch(ScratchSlot::PackedA, static_cast<size_t>(round_up(sub_m, kPanel) * kc_max_pad / 2)));
    auto* b_packed = reinterpret_cast<uint16_t*>(
        thread_scratch(ScratchSlot::PackedB, static_cast<size_t>(round_up(sub_n, kPanel) * kc_max_pad / 2)));
    float* b_panel = thread_scratch(ScratchSlot::PanelF32, static_cast<size_t>(kc_max_pad * kPanel));
    float* a_loaded = weight_a ? thread_scratch(ScratchSlot::LoadedA, static_cast<size_t>(sub_m * tile_k)) : nullptr;

    // A rows [am0, am0 + arows), K slice [k0, k0 + kc), packed into dst (rows padded to 32).
    auto pack_a = [&](int64_t am0, int64_t arows, int64_t k0, int64_t kc, int64_t kc_pad, uint16_t* dst) {
        const int64_t rows_pad = round_up(arows, kPanel);
        if (direct_weight) {
            pack_a_weight(*job.a_weight, am0, arows, rows_pad, k0, kc, kc_pad, dst);
        } else if (weight_a) {
            job.load_a(am0, arows, k0, kc, a_loaded);
            pack_a_rows(a_loaded, kc, arows, rows_pad, kc, kc_pad, dst);
        } else {
            pack_a_rows(job.a + am0 * job.lda + k0, job.lda, arows, rows_pad, kc, kc_pad, dst);
        }
    };
    const bool direct_b_weight =
        job.b_weight && (job.b_weight->type == DType::F16 || job.b_weight->type == DType::BF16);
    auto pack_b = [&](int64_t bn0, int64_t bcols, int64_t k0, int64_t kc, int64_t kc_pad) {
        for (int64_t p = 0; p * kPanel < bcols; ++p) {
            const int64_t pn0 = bn0 + p * kPanel;
            if (direct_b_weight) {
                pack_b_weight(*job.b_weight, pn0, std::min<int64_t>(kPanel, bn0 + bcols - pn0), k0, kc, kc_pad,
                              b_packed + p * kPanel * kc_pad);
                continue;
            }
            if (job.pack_b_bf16) {
                job.pack_b_bf16(pn0, std::min<int64_t>(kPanel, bn0 + bcols - pn0), k0, kc, kc_pad,
                                b_packed + p * kPanel * kc_pad);
                continue;
            }
            job.pack_b(pn0, std::min<int64_t>(kPanel, bn0 + bcols - pn0), k0, kc, kPanel, b_panel);
            pack_b_panel(b_panel, kc, kc_pad, b_packed + p * kPanel * kc_pad);
        }
    };

    if (weight_a && job.K > tile_k) {
        // The weight rows are packed once for all of K (slice after slice), then each column
        // sub-tile runs through every K slice into the accumulator and is written to C once.
        // With a single column sub-tile (the small images of the UNet's inner levels) nothing
        // reuses the packed weight, so each slice is packed just before its use instead: the
        // whole packed weight (megabytes) would go to memory and back for nothing.
        const int64_t row_pairs = (rows + kPanel - 1) / kPanel, rows_pad = row_pairs * kPanel;
        const int64_t slices = (job.K + tile_k - 1) / tile_k;
        const bool one_sub_tile = cols <= sub_n;
        auto* a_all = one_sub_tile ? nullptr
                                   : reinterpret_cast<uint16_t*>(thread_scratch(
                                         ScratchSlot::WholeA, static_cast<size_t>(rows_pad * slices * kc_max_pad / 2)));
        for (int64_t t = 0; t < slices && !one_sub_tile; ++t) {
            const int64_t k0 = t * tile_k, kc = std::min(tile_k, job.K - k0);
            pack_a(m0, rows, k0, kc, round_up(kc, 32), a_all + t * rows_pad * kc_max_pad);
        }
        float* acc = thread_scratch(ScratchSlot::Accumulator, static_cast<size_t>(rows_pad * round_up(sub_n, kPanel)));
        for (int64_t s0 = n0; s0 < n1; s0 += sub_n) {
            const int64_t scols = std::min(sub_n, n1 - s0);
            for (int64_t t = 0; t < slices; ++t) {
                const int64_t k0 = t * tile_k, kc = std::min(tile_k, job.K - k0), kc_pad = round_up(kc, 32);
                if (one_sub_tile) pack_a(m0, rows, k0, kc, kc_pad, a_packed);
                const uint16_t* a_slice = one_sub_tile ? a_packed : a_all + t * rows_pad * kc_max_pad;
                pack_b(s0, scols, k0, kc, kc_pad);
                accumulate_blocks(kernel, kc, kc_pad, a_slice, row_pairs, b_packed,
                                  (scols + kPanel - 1) / kPanel, acc, t == 0);
            }
            flush_blocks(acc, rows, scols, job.c + m0 * job.ldc + s0, job.ldc, job.accumulate);
        }
        kernel.end();
        if (job.epilogue) job.epilogue(m0, rows, n0, cols);
        return;
    }
    for (int64_t k0 = 0; k0 < job.K; k0 += tile_k) {
        const int64_t kc = std::min(tile_k, job.K - k0), kc_pad = round_up(kc, 32);
        const bool acc = job.accumulate || k0 > 0;
        if (weight_a) {
            pack_a(m0, rows, k0, kc, kc_pad, a_packed);
            for (int64_t s0 = n0; s0 < n1; s0 += sub_n) {
                const int64_t scols = std::min(sub_n, n1 - s0);
                pack_b(s0, scols, k0, kc, kc_pad);
                multiply_block(kernel, kc, kc_pad, a_packed, rows, b_packed, scols, job.c + m0 * job.ldc + s0, job.ldc, acc);
            }
        } else {
            pack_b(n0, cols, k0, kc, kc_pad);
            for (int64_t s0 = m0; s0 < m1; s0 += sub_m) {
                const int64_t srows = std::min(sub_m, m1 - s0);
                pack_a(s0, srows, k0, kc, kc_pad, a_packed);
                multiply_block(kernel, kc, kc_pad, a_packed, srows, b_packed, cols, job.c + s0 * job.ldc + n0, job.ldc, acc);
            }
        }
    }
    kernel.end();
    if (job.K == 0 && !job.accumulate)
        for (int64_t i = m0; i < m1; ++i) std::fill(job.c + i * job.ldc + n0, job.c + i * job.ldc + n1, 0.0f);
    if (job.epilogue) job.epilogue(m0, rows, n0, cols);
}

int64_t gemm_block_bf16_scratch_bytes(const GemmJob& job, int64_t rows, int64_t cols) {
    const bool weight_a = static_cast<bool>(job.load_a);
    const int64_t kc = round_up(pick_tile_k(job.K, job.k_align, weight_a ? rows : cols), 32);
    const int64_t sub_m = weight_a ? rows : std::min(rows, kAmxTileM);
    const int64_t sub_n = weight_a ? std::min(cols, kAmxTileN) : cols;
    const int64_t whole_k = (job.K + kc - 1) / kc * kc;
    const int64_t accumulator = weight_a && job.K > kc ? round_up(rows, kPanel) * (kAmxTileN * 4 + whole_k * 2) : 0;
    return (round_up(sub_m, kPanel) + round_up(sub_n, kPanel)) * kc * 2 + kc * kPanel * 4 +
           (weight_a ? sub_m * kc * 4 : 0) + accumulator;
}

}  // namespace sdn::cpu
