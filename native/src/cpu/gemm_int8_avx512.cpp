// The driver of the integer products (cpu/gemm_int8.h): blocking, packing and threads, shaped
// like the bf16 driver (gemm_bf16_avx512.cpp). The larger of M and N is split into one task
// per thread (multiples of 32); a task walks K in slices of whole 32-blocks, packs the weight
// slice once and streams the other operand past it in sub-tiles, quantizing that operand as it
// is packed. Weights are unpacked per call into per-thread scratch, so nothing stays resident.
#include <algorithm>

#include "cpu/gemm_int8.h"
#include "cpu/scratch.h"

namespace sdn::cpu::int8 {

namespace {

constexpr int64_t kSliceBlocks = 16;  // K per slice when K is long: 512
constexpr int64_t kSubTile = 256;     // streamed rows or columns per sub-tile
constexpr int64_t kWideColumns = 512; // most weight columns a linear block packs at once

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Blocks per K slice: all of K when the packed weight slice (`resident` rows or columns of
// 32 bytes, a scale and a correction per block) stays in L2 (about 512 KiB of it), so C is
// written once instead of read and written once per slice (4096x1280x320: 1.15x); else 512.
int64_t slice_blocks(int64_t K, int64_t resident) {
    const int64_t nb = K / kBlock;
    if (nb <= kSliceBlocks + kSliceBlocks / 2 || resident * nb * (kBlock + 8) <= (int64_t(512) << 10)) return nb;
    return kSliceBlocks;
}

struct Buffers {
    uint8_t* row_q;
    float* row_scale;
    uint8_t* columns;
    float* gathered;  // conv: one float panel of the slice
};

int64_t sub_rows(bool weight_rows, int64_t rows) { return weight_rows ? rows : std::min(rows, kSubTile); }
int64_t sub_cols(bool weight_rows, int64_t cols) { return weight_rows ? std::min(cols, kSubTile) : cols; }

// What one block of rows x cols packs per K slice: blocks per slice, rows packed at a time,
// column panels packed at a time.
struct SliceShape {
    int64_t nb, rows, panels;
};

SliceShape slice_shape(bool weight_rows, int64_t K, int64_t rows, int64_t cols) {
    return {slice_blocks(K, weight_rows ? rows : cols), sub_rows(weight_rows, rows),
            (sub_cols(weight_rows, cols) + kPanel - 1) / kPanel};
}

// Scratch one block of rows x cols holds, in bytes (the four buffers).
int64_t scratch_bytes(bool weight_rows, int64_t K, int64_t rows, int64_t cols) {
    const SliceShape s = slice_shape(weight_rows, K, rows, cols);
    return s.rows * s.nb * (kBlock + 4) + s.panels * column_panel_bytes(s.nb) +
           (weight_rows ? s.nb * kBlock * kPanel * 4 : 0);
}

Buffers thread_buffers(bool weight_rows, const SliceShape& s) {
    Buffers b;
    b.row_q = reinterpret_cast<uint8_t*>(thread_scratch(ScratchSlot::PackedA, static_cast<size_t>(s.rows * s.nb * kBlock / 4)));
    b.row_scale = thread_scratch(ScratchSlot::LoadedA, static_cast<size_t>(s.rows * s.nb));
    b.columns = reinterpret_cast<uint8_t*>(
        thread_scratch(ScratchSlot::PackedB, static_cast<size_t>(s.panels * column_panel_bytes(s.nb) / 4)));
    b.gathered = weight_rows ? thread_scratch(ScratchSlot::PanelF32, static_cast<size_t>(s.nb * kBlock * kPanel)) : nullptr;
    return b;
}

// C[rows x cols] at c (+)= the packed rows x the packed column panels, nb blocks deep.
void multiply(int64_t nb, const Buffers& buf, int64_t rows, int64_t cols, float* c, int64_t ldc, bool accumulate) {
    for (int64_t p = 0; p * kPanel < cols; ++p) {
        const int nr = static_cast<int>(std::min<int64_t>(kPanel, cols - p * kPanel));
        const ColumnPanel panel = column_panel(buf.columns + p * column_panel_bytes(nb), nb);
        for (int64_t i0 = 0; i0 < rows; i0 += kSubTile) {
            const int mr = static_cast<int>(std::min(kSubTile, rows - i0));
            multiply_panel(nb, buf.row_q + i0 * nb * kBlock, nb * kBlock, buf.row_scale + i0 * nb, nb, panel,
                           c + i0 * ldc + p * kPanel, ldc, mr, nr, accumulate);
        }
    }
}

// Rows [m0, m1) x columns [n0, n1) of C, all of K, on the calling thread.
void gemm_block(const GemmJob& job, int64_t m0, int64_t m1, int64_t n0, int64_t n1) {
    const bool weight_rows = job.a_weight != nullptr;  // conv: weight as A, gathered B
    if (!weight_rows && n1 - n0 > kWideColumns && slice_blocks(job.K, n1 - n0) < job.K / kBlock) {
        // As in the bf16 driver: a wide linear block with K in several slices goes in column
        // chunks, so its packed weight slice stays in L2 and C is not swept once per slice.
        for (int64_t c0 = n0; c0 < n1; c0 += kWideColumns) gemm_block(job, m0, m1, c0, std::min(n1, c0 + kWideColumns));
        return;
    }
    const int64_t rows = m1 - m0, cols = n1 - n0, nb_all = job.K / kBlock;
    const SliceShape shape = slice_shape(weight_rows, job.K, rows, cols);
    const int64_t nb_max = shape.nb, sm = shape.rows, sn = sub_cols(weight_rows, cols);
    const Buffers buf = thread_buffers(weight_rows, shape);
    for (int64_t b0 = 0; b0 < nb_all; b0 += nb_max) {
        const int64_t nb = std::min(nb_max, nb_all - b0), k0 = b0 * kBlock;
        const bool accumulate = job.accumulate || b0 > 0;
        if (weight_rows) {
            pack_weight_rows(*job.a_weight, m0, rows, b0, nb, buf.row_q, buf.row_scale);
            for (int64_t s0 = n0; s0 < n1; s0 += sn) {
                const int64_t scols = std::min(sn, n1 - s0);
                for (int64_t p = 0; p * kPanel < scols; ++p) {
                    const int64_t pn0 = s0 + p * kPanel;
                    job.pack_b(pn0, std::min<int64_t>(kPanel, s0 + scols - pn0), k0, nb * kBlock, kPanel, buf.gathered);
                    quantize_column_panel(buf.gathered, nb, buf.columns + p * column_panel_bytes(nb));
                }
                multiply(nb, buf, rows, scols, job.c + m0 * job.ldc + s0, job.ldc, accumulate);
            }
        } else {
            for (int64_t p = 0; p * kPanel < cols; ++p) {
                const int64_t pn0 = n0 + p * kPanel;
                pack_weight_columns(*job.b_weight, pn0, std::min<int64_t>(kPanel, n1 - pn0), b0, nb,
                                    buf.columns + p * column_panel_bytes(nb));
            }
            for (int64_t s0 = m0; s0 < m1; s0 += sm) {
                const int64_t srows = std::min(sm, m1 - s0);
                quantize_rows(job.a + s0 * job.lda + k0, job.lda, srows, nb, buf.row_q, buf.row_scale);
                multiply(nb, buf, srows, cols, job.c + s0 * job.ldc + n0, job.ldc, accumulate);
            }
        }
    }
    if (job.epilogue) job.epilogue(m0, rows, n0, cols);
}

}  // namespace

void run_gemm(Context& ctx, const GemmJob& job) {
    if (job.M <= 0 || job.N <= 0) return;
    const bool weight_rows = job.a_weight != nullptr;
    // One task per thread over the larger dimension, so the operand every task packs in full
    // (the other dimension's) is the smaller one.
    const bool split_rows = job.M >= job.N;
    const int64_t extent = split_rows ? job.M : job.N;
    const int64_t tasks = std::clamp<int64_t>((extent + kPanel - 1) / kPanel, 1, ctx.threads());
    const int64_t tile = round_up((extent + tasks - 1) / tasks, kPanel);
    const int64_t rows = split_rows ? tile : job.M, cols = split_rows ? job.N : tile;
    ctx.note_scratch_bytes(ctx.threads() * scratch_bytes(weight_rows, job.K, rows, cols));
    ctx.pool().parallel_for((extent + tile - 1) / tile, [&](int64_t task, int) {
        const int64_t s0 = task * tile, s1 = std::min(extent, s0 + tile);
        if (split_rows)
            gemm_block(job, s0, s1, 0, job.N);
        else
            gemm_block(job, 0, job.M, s0, s1);
    });
}

}  // namespace sdn::cpu::int8
