#include "cpu/gemm.h"

#include <algorithm>

#include "cpu/scratch.h"

namespace sdn::cpu {

namespace {

constexpr int64_t kTileK = 128;  // one B panel (128 x 32 floats, 16 KiB) stays in L1
constexpr int64_t kTileN = 256;
constexpr int64_t kMaxTileM = 256;  // packed B tile: 256 x 256 floats = 256 KiB, held in L2

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

int64_t pick_tile_k(int64_t K, int64_t align) {
    if (K <= kTileK + kTileK / 2) return K;
    return std::max<int64_t>(align, kTileK / align * align);
}

// One (M tile, N tile) of C, all of K.
void gemm_tile(const KernelTable& kt, const GemmJob& job, int64_t m0, int64_t m1, int64_t n0,
               int64_t n1) {
    const int nr = kt.gemm_nr, mr = kt.gemm_mr;
    const int64_t tile_k = pick_tile_k(job.K, job.k_align);
    const int64_t cols = n1 - n0, rows = m1 - m0;
    const int64_t panels = (cols + nr - 1) / nr;
    const int64_t row_panels = (rows + mr - 1) / mr;
    float* packed = thread_scratch(ScratchSlot::PackedB, static_cast<size_t>(panels * nr * tile_k));
    float* a_packed = thread_scratch(ScratchSlot::PackedA, static_cast<size_t>(row_panels * mr * tile_k));
    float* a_loaded = job.load_a ? thread_scratch(ScratchSlot::LoadedA, static_cast<size_t>(rows * tile_k)) : nullptr;

    for (int64_t k0 = 0; k0 < job.K; k0 += tile_k) {
        const int64_t kc = std::min(tile_k, job.K - k0);
        for (int64_t p = 0; p < panels; ++p) {
            int64_t pn0 = n0 + p * nr;
            job.pack_b(pn0, std::min<int64_t>(nr, n1 - pn0), k0, kc, nr, packed + p * nr * kc);
        }
        const float* a;
        int64_t lda;
        if (job.load_a) {
            job.load_a(m0, rows, k0, kc, a_loaded);
            a = a_loaded;
            lda = kc;
        } else {
            a = job.a + m0 * job.lda + k0;
            lda = job.lda;
        }
        // A into micro-panels [kc][mr] (rows past the end zero), read once per N tile.
        for (int64_t ip = 0; ip < row_panels; ++ip) {
            const int64_t i0 = ip * mr;
            const int m_here = static_cast<int>(std::min<int64_t>(mr, rows - i0));
            kt.pack_transposed(a + i0 * lda, lda, m_here, kc, mr, a_packed + ip * mr * kc);
        }
        const bool acc = job.accumulate || k0 > 0;
        // Panel outer, rows inner: the B panel (kc x nr) stays in L1 while the packed A
        // micro-panels stream past it from L2.
        for (int64_t p = 0; p < panels; ++p) {
            int64_t pn0 = n0 + p * nr;
            const int n_here = static_cast<int>(std::min<int64_t>(nr, n1 - pn0));
            for (int64_t ip = 0; ip < row_panels; ++ip) {
                const int m_here = static_cast<int>(std::min<int64_t>(mr, rows - ip * mr));
                kt.gemm(kc, a_packed + ip * mr * kc, packed + p * nr * kc,
                        job.c + (m0 + ip * mr) * job.ldc + pn0, job.ldc, m_here, n_here, acc);
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

void run_gemm(Context& ctx, const KernelTable& kt, const GemmJob& job) {
    if (job.M <= 0 || job.N <= 0) return;
    const int threads = ctx.threads();
    const int64_t want_tasks = 4 * static_cast<int64_t>(threads);  // lets uneven tasks balance
    // N tiles of at most kTileN columns, all about the same width (320 -> 2 x 160, not 256 + 64).
    int64_t n_tiles = (job.N + kTileN - 1) / kTileN;
    // M tiles: enough for ~4 tasks per thread, at least 64 rows so re-packing the B tile per
    // task stays cheap next to the multiply, at most kMaxTileM so the C tile stays in L2.
    const int64_t max_m_tiles = std::max<int64_t>(1, job.M / 64);
    int64_t m_tiles = std::clamp<int64_t>((want_tasks + n_tiles - 1) / n_tiles, 1, max_m_tiles);
    m_tiles = std::max(m_tiles, (job.M + kMaxTileM - 1) / kMaxTileM);
    // Few rows (a 64-token cross-attention projection): split N finer instead.
    if (m_tiles * n_tiles < want_tasks)
        n_tiles = std::min((job.N + kt.gemm_nr - 1) / kt.gemm_nr, (want_tasks + m_tiles - 1) / m_tiles);
    const int64_t tile_n = even_tile(job.N, n_tiles, kt.gemm_nr);
    const int64_t tile_m = even_tile(job.M, m_tiles, kt.gemm_mr);
    n_tiles = (job.N + tile_n - 1) / tile_n;
    m_tiles = (job.M + tile_m - 1) / tile_m;
    const int64_t tile_k = pick_tile_k(job.K, job.k_align);
    ctx.note_scratch_bytes(static_cast<int64_t>(threads) *
                           (tile_n * tile_k + (job.load_a ? 2 : 1) * (tile_m + kt.gemm_mr) * tile_k) * 4);
    ctx.pool().parallel_for(m_tiles * n_tiles, [&](int64_t task, int) {
        int64_t mt = task % m_tiles, nt = task / m_tiles;
        int64_t m0 = mt * tile_m, n0 = nt * tile_n;
        gemm_tile(kt, job, m0, std::min(job.M, m0 + tile_m), n0, std::min(job.N, n0 + tile_n));
    });
}

void run_gemm_serial(const KernelTable& kt, const GemmJob& job) {
    if (job.M <= 0 || job.N <= 0) return;
    const int64_t tile_n = std::min(round_up(job.N, kt.gemm_nr), kTileN);
    for (int64_t n0 = 0; n0 < job.N; n0 += tile_n)
        gemm_tile(kt, job, 0, job.M, n0, std::min(job.N, n0 + tile_n));
}

}  // namespace sdn::cpu
