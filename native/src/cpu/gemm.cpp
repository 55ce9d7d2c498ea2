#include "cpu/gemm.h"

#include <algorithm>

#include "cpu/gemm_bf16.h"
#include "cpu/scratch.h"

namespace sdn::cpu {

namespace {

constexpr int64_t kTileK = 128;  // one B panel (128 x 32 floats, 16 KiB) stays in L1
constexpr int64_t kTileN = 256;
constexpr int64_t kMaxTileM = 256;  // packed B tile: 256 x 256 floats = 256 KiB, held in L2
// A task's share of the weight operand: at most this many weight rows (conv output channels
// or linear output features), so its packed kc-slice (<= 256 KiB) stays in L2.
constexpr int64_t kMaxWeightRows = 512;

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

int64_t pick_tile_k(int64_t K, int64_t align) {
    if (K <= kTileK + kTileK / 2) return K;
    return std::max<int64_t>(align, kTileK / align * align);
}

// One block of C (rows [m0, m1), columns [n0, n1)), all of K. The weight operand (A when the
// job loads A, else B) is converted and packed once per K tile for the whole block and reused
// across the block's other dimension, walked in sub-tiles: converting f16/quantized weights is
// as costly as a good part of the multiply, so no weight element is converted twice per block.
void gemm_block(const KernelTable& kt, const GemmJob& job, int64_t m0, int64_t m1, int64_t n0,
                int64_t n1) {
    if (kt.matrix_bf16) {
        gemm_block_bf16(*kt.matrix_bf16, job, m0, m1, n0, n1);
        return;
    }
    const int nr = kt.gemm_nr, mr = kt.gemm_mr;
    const int64_t tile_k = pick_tile_k(job.K, job.k_align);
    const bool weight_a = static_cast<bool>(job.load_a);
    const int64_t rows = m1 - m0, cols = n1 - n0;
    // Sub-tile sizes along the streamed (non-weight) dimension.
    const int64_t sub_m = weight_a ? rows : std::min<int64_t>(rows, kMaxTileM);
    const int64_t sub_n = weight_a ? std::min<int64_t>(cols, kTileN) : cols;
    const int64_t b_panels_max = (sub_n + nr - 1) / nr;
    const int64_t a_panels_max = (sub_m + mr - 1) / mr;
    float* packed = thread_scratch(ScratchSlot::PackedB, static_cast<size_t>(b_panels_max * nr * tile_k));
    float* a_packed = thread_scratch(ScratchSlot::PackedA, static_cast<size_t>(a_panels_max * mr * tile_k));
    float* a_loaded = weight_a ? thread_scratch(ScratchSlot::LoadedA, static_cast<size_t>(sub_m * tile_k)) : nullptr;

    auto pack_a = [&](int64_t am0, int64_t arows, int64_t k0, int64_t kc) {
        const float* a;
        int64_t lda;
        if (weight_a) {
            job.load_a(am0, arows, k0, kc, a_loaded);
            a = a_loaded;
            lda = kc;
        } else {
            a = job.a + am0 * job.lda + k0;
            lda = job.lda;
        }
        // A into micro-panels [kc][mr] (rows past the end zero).
        for (int64_t ip = 0; ip * mr < arows; ++ip) {
            const int m_here = static_cast<int>(std::min<int64_t>(mr, arows - ip * mr));
            kt.pack_transposed(a + ip * mr * lda, lda, m_here, kc, mr, a_packed + ip * mr * kc);
        }
    };
    auto pack_b = [&](int64_t bn0, int64_t bcols, int64_t k0, int64_t kc) {
        for (int64_t p = 0; p * nr < bcols; ++p) {
            const int64_t pn0 = bn0 + p * nr;
            job.pack_b(pn0, std::min<int64_t>(nr, bn0 + bcols - pn0), k0, kc, nr, packed + p * nr * kc);
        }
    };
    // Panel outer, rows inner: the B panel (kc x nr) stays in L1 while the packed A
    // micro-panels stream past it from L2.
    auto multiply = [&](int64_t am0, int64_t arows, int64_t bn0, int64_t bcols, int64_t kc, bool acc) {
        for (int64_t p = 0; p * nr < bcols; ++p) {
            const int64_t pn0 = bn0 + p * nr;
            const int n_here = static_cast<int>(std::min<int64_t>(nr, bn0 + bcols - pn0));
            for (int64_t ip = 0; ip * mr < arows; ++ip) {
                const int m_here = static_cast<int>(std::min<int64_t>(mr, arows - ip * mr));
                kt.gemm(kc, a_packed + ip * mr * kc, packed + p * nr * kc,
                        job.c + (am0 + ip * mr) * job.ldc + pn0, job.ldc, m_here, n_here, acc);
            }
        }
    };

    for (int64_t k0 = 0; k0 < job.K; k0 += tile_k) {
        const int64_t kc = std::min(tile_k, job.K - k0);
        const bool acc = job.accumulate || k0 > 0;
        if (weight_a) {
            pack_a(m0, rows, k0, kc);
            for (int64_t s0 = n0; s0 < n1; s0 += sub_n) {
                const int64_t scols = std::min(sub_n, n1 - s0);
                pack_b(s0, scols, k0, kc);
                multiply(m0, rows, s0, scols, kc, acc);
            }
        } else {
            pack_b(n0, cols, k0, kc);
            for (int64_t s0 = m0; s0 < m1; s0 += sub_m) {
                const int64_t srows = std::min(sub_m, m1 - s0);
                pack_a(s0, srows, k0, kc);
                multiply(s0, srows, n0, cols, kc, acc);
            }
        }
    }
    if (job.K == 0 && !job.accumulate)
        for (int64_t i = m0; i < m1; ++i) std::fill(job.c + i * job.ldc + n0, job.c + i * job.ldc + n1, 0.0f);
    if (job.epilogue) job.epilogue(m0, rows, n0, cols);
}

}  // namespace

// Splits `total` into `tiles` nearly equal tiles, each a multiple of `step`.
int64_t even_tile(int64_t total, int64_t tiles, int64_t step) {
    return round_up((total + tiles - 1) / tiles, step);
}

// The bf16 paths: the multiply is so fast that packing the operands costs as much, and a task
// packs all of the operand along the dimension it does not split. Splitting the larger of M
// and N keeps that duplicated packing to the smaller operand; one task per thread.
void run_gemm_tiles(Context& ctx, const KernelTable& kt, const GemmJob& job) {
    const bool split_m = job.M >= job.N;
    const int64_t extent = split_m ? job.M : job.N;
    const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(ctx.threads(), (extent + 31) / 32));
    const int64_t tile = even_tile(extent, tasks, 32);
    ctx.note_scratch_bytes(ctx.threads() * gemm_block_bf16_scratch_bytes(job, split_m ? tile : job.M, split_m ? job.N : tile));
    ctx.pool().parallel_for((extent + tile - 1) / tile, [&](int64_t task, int) {
        const int64_t s0 = task * tile, s1 = std::min(extent, s0 + tile);
        if (split_m)
            gemm_block(kt, job, s0, s1, 0, job.N);
        else
            gemm_block(kt, job, 0, job.M, s0, s1);
    });
}

void run_gemm(Context& ctx, const KernelTable& kt, const GemmJob& job) {
    if (job.M <= 0 || job.N <= 0) return;
    if (kt.matrix_bf16) {
        run_gemm_tiles(ctx, kt, job);
        return;
    }
    const int threads = ctx.threads();
    // Tasks split only the weight's dimension (M when A is the loaded weight, else N), so
    // each weight element is converted once per call; a multiple of the thread count keeps
    // the two halves of a 2-thread pool equal. The other dimension is walked inside a task.
    const bool weight_a = static_cast<bool>(job.load_a);
    const int64_t extent = weight_a ? job.M : job.N;
    const int64_t step = weight_a ? kt.gemm_mr : kt.gemm_nr;
    const int64_t max_tasks = std::max<int64_t>(1, (extent + step - 1) / step);
    int64_t tasks = (extent + kMaxWeightRows - 1) / kMaxWeightRows;
    tasks = std::min(max_tasks, round_up(tasks, threads));
    const int64_t tile = even_tile(extent, tasks, step);
    tasks = (extent + tile - 1) / tile;
    const int64_t tile_k = pick_tile_k(job.K, job.k_align);
    const int64_t a_rows = weight_a ? tile : std::min<int64_t>(job.M, kMaxTileM);
    const int64_t b_cols = weight_a ? std::min<int64_t>(job.N, kTileN) : tile;
    ctx.note_scratch_bytes(static_cast<int64_t>(threads) *
                           ((b_cols + kt.gemm_nr) * tile_k + (weight_a ? 2 : 1) * (a_rows + kt.gemm_mr) * tile_k) * 4);
    ctx.pool().parallel_for(tasks, [&](int64_t task, int) {
        const int64_t s0 = task * tile, s1 = std::min(extent, s0 + tile);
        if (weight_a)
            gemm_block(kt, job, s0, s1, 0, job.N);
        else
            gemm_block(kt, job, 0, job.M, s0, s1);
    });
}

void run_gemm_serial(const KernelTable& kt, const GemmJob& job) {
    if (job.M <= 0 || job.N <= 0) return;
    if (job.load_a) {
        gemm_block(kt, job, 0, job.M, 0, job.N);
        return;
    }
    const int64_t tile_n = std::min(round_up(job.N, kt.gemm_nr), kTileN);
    for (int64_t n0 = 0; n0 < job.N; n0 += tile_n)
        gemm_block(kt, job, 0, job.M, n0, std::min(job.N, n0 + tile_n));
}

}  // namespace sdn::cpu
