// Flash-style attention. A task is (batch, head, block of 256 queries). Keys are visited in
// blocks of 256: each block's K^T and V are packed once into micro-kernel panels and shared by
// the task's four 64-query sub-blocks. Per sub-block the scores go through an online softmax
// (running max m and sum l per query; earlier output rescaled by exp(m_old - m_new)), so the
// full Nq x Nk score matrix never exists. Both products (Q K^T and P V) run on the GEMM
// micro-kernel.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "cpu/kernel_table.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"

namespace sdn::ops {

namespace {

constexpr int64_t kTaskQ = 256;  // queries per task
constexpr int64_t kSubQ = 64;    // queries whose scores exist at one time
constexpr int64_t kBlockK = 256; // keys per block

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// Packs rows [r0, r0 + rows) x columns [0, cols) of a row-major matrix (row stride ld) into
// micro-kernel A panels [cols][mr], scaled by s; rows past the end are zero.
void pack_a(const float* src, int64_t ld, int64_t rows, int64_t cols, int mr, float s, float* dst) {
    for (int64_t i0 = 0; i0 < rows; i0 += mr) {
        float* panel = dst + i0 * cols;
        const int64_t here = std::min<int64_t>(mr, rows - i0);
        for (int64_t r = 0; r < here; ++r) {
            const float* row = src + (i0 + r) * ld;
            for (int64_t k = 0; k < cols; ++k) panel[k * mr + r] = row[k] * s;
        }
        for (int64_t r = here; r < mr; ++r)
            for (int64_t k = 0; k < cols; ++k) panel[k * mr + r] = 0.0f;
    }
}

// C[M, N] (+)= A * B from packed A panels (K deep) and packed B panels (K deep).
void packed_gemm(const cpu::KernelTable& kt, int64_t M, int64_t N, int64_t K, const float* a,
                 const float* b, float* c, int64_t ldc, bool accumulate) {
    const int mr = kt.gemm_mr, nr = kt.gemm_nr;
    for (int64_t j0 = 0; j0 < N; j0 += nr) {
        const int n_here = static_cast<int>(std::min<int64_t>(nr, N - j0));
        for (int64_t i0 = 0; i0 < M; i0 += mr) {
            const int m_here = static_cast<int>(std::min<int64_t>(mr, M - i0));
            kt.gemm(K, a + i0 * K, b + j0 * K, c + i0 * ldc + j0, ldc, m_here, n_here, accumulate);
        }
    }
}

}  // namespace

void attention(Context& ctx, const AttentionArgs& a) {
    SDN_REQUIRE(a.q && a.k && a.v && a.out && a.head_dim > 0 && a.heads > 0, SDN_ERR_INVALID_ARGUMENT,
                "attention: missing tensors or empty heads");
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    const int mr = kt.gemm_mr, nr = kt.gemm_nr;
    const int64_t d = a.head_dim;
    const int64_t d_pad = round_up(d, nr);
    const int64_t q_tasks = (a.nq + kTaskQ - 1) / kTaskQ;
    const int64_t tasks = a.batch * a.heads * q_tasks;
    // Each 64-query sub-block is packed into its own whole number of micro-panels.
    const int64_t sub_rows = round_up(kSubQ, mr);
    const int64_t q_rows = (kTaskQ / kSubQ) * sub_rows;
    // Per thread: packed Q, output accumulator, max/sum, packed K^T and V, scores, packed P.
    const int64_t scratch_floats = q_rows * d + kTaskQ * d + 2 * kTaskQ + kBlockK * d + kBlockK * d_pad +
                                   kSubQ * kBlockK + round_up(kSubQ, mr) * kBlockK;
    ctx.note_scratch_bytes(static_cast<int64_t>(ctx.threads()) * scratch_floats * 4);

    ctx.pool().parallel_for(tasks, [&](int64_t task, int) {
        const int64_t qt = task % q_tasks;
        const int64_t h = (task / q_tasks) % a.heads;
        const int64_t b = task / (q_tasks * a.heads);
        const int64_t q0 = qt * kTaskQ;
        const int64_t nq = std::min(kTaskQ, a.nq - q0);

        float* q_packed = cpu::thread_scratch(cpu::ScratchSlot::Scores, static_cast<size_t>(scratch_floats));
        float* acc = q_packed + q_rows * d;          // [nq, d]
        float* row_max = acc + kTaskQ * d;
        float* row_sum = row_max + kTaskQ;
        float* k_packed = row_sum + kTaskQ;          // K^T panels: [keys / nr][d][nr]
        float* v_packed = k_packed + kBlockK * d;    // V panels: [d_pad / nr][keys][nr]
        float* scores = v_packed + kBlockK * d_pad;  // [kSubQ, kBlockK]
        float* p_packed = scores + kSubQ * kBlockK;  // P as A panels
        std::fill(acc, acc + nq * d, 0.0f);
        std::fill(row_max, row_max + nq, -INFINITY);
        std::fill(row_sum, row_sum + nq, 0.0f);

        const float* kbase = a.k + b * a.nk * a.k_stride + h * d;
        const float* vbase = a.v + b * a.nk * a.v_stride + h * d;
        // Q scaled once: the scores come out already multiplied by `scale`.
        for (int64_t s0 = 0; s0 < nq; s0 += kSubQ) {
            const int64_t sq = std::min(kSubQ, nq - s0);
            pack_a(a.q + (b * a.nq + q0 + s0) * a.q_stride + h * d, a.q_stride, sq, d, mr, a.scale,
                   q_packed + (s0 / kSubQ) * sub_rows * d);
        }
        // With a causal mask no key past the task's last query matters.
        const int64_t nk_used = a.causal ? std::min(a.nk, q0 + nq) : a.nk;

        for (int64_t k0 = 0; k0 < nk_used; k0 += kBlockK) {
            const int64_t bk = std::min(kBlockK, nk_used - k0);
            const int64_t bk_pad = round_up(bk, nr);
            // K^T: panel p holds keys p*nr.. as columns, d rows.
            for (int64_t p0 = 0; p0 < bk_pad; p0 += nr) {
                float* panel = k_packed + p0 * d;
                for (int64_t j = 0; j < nr; ++j) {
                    if (p0 + j < bk) {
                        const float* key = kbase + (k0 + p0 + j) * a.k_stride;
                        for (int64_t t = 0; t < d; ++t) panel[t * nr + j] = key[t];
                    } else {
                        for (int64_t t = 0; t < d; ++t) panel[t * nr + j] = 0.0f;
                    }
                }
            }
            // V: panel p holds head dims p*nr.. as columns, bk rows (keys).
            for (int64_t c0 = 0; c0 < d_pad; c0 += nr) {
                float* panel = v_packed + c0 * bk;
                const int64_t cols = std::min<int64_t>(nr, d - c0);
                for (int64_t t = 0; t < bk; ++t) {
                    const float* val = vbase + (k0 + t) * a.v_stride + c0;
                    float* dst = panel + t * nr;
                    for (int64_t j = 0; j < cols; ++j) dst[j] = val[j];
                    for (int64_t j = cols; j < nr; ++j) dst[j] = 0.0f;
                }
            }

            for (int64_t s0 = 0; s0 < nq; s0 += kSubQ) {
                const int64_t sq = std::min(kSubQ, nq - s0);
                if (a.causal && k0 > q0 + s0 + sq - 1) break;  // every key here is masked
                packed_gemm(kt, sq, bk, d, q_packed + (s0 / kSubQ) * sub_rows * d, k_packed, scores, kBlockK, false);
                for (int64_t i = 0; i < sq; ++i) {
                    float* srow = scores + i * kBlockK;
                    const int64_t qi = s0 + i;
                    int64_t valid = bk;
                    if (a.causal) valid = std::clamp<int64_t>(q0 + qi - k0 + 1, 0, bk);
                    for (int64_t j = valid; j < bk; ++j) srow[j] = 0.0f;  // masked: weight 0
                    if (valid == 0) continue;
                    const float block_max = kt.row_max(srow, valid);
                    const float new_max = std::max(row_max[qi], block_max);
                    const float correction = row_max[qi] == -INFINITY ? 0.0f : std::exp(row_max[qi] - new_max);
                    row_sum[qi] = row_sum[qi] * correction + kt.exp_shifted_sum(srow, valid, new_max);
                    row_max[qi] = new_max;
                    if (correction != 1.0f) kt.scale_row(acc + qi * d, d, correction);
                }
                pack_a(scores, kBlockK, sq, bk, mr, 1.0f, p_packed);
                packed_gemm(kt, sq, d, bk, p_packed, v_packed, acc + s0 * d, d, true);
            }
        }

        for (int64_t i = 0; i < nq; ++i) {
            float* orow = a.out + (b * a.nq + q0 + i) * a.out_stride + h * d;
            const float inv = row_sum[i] > 0.0f ? 1.0f / row_sum[i] : 0.0f;
            for (int64_t t = 0; t < d; ++t) orow[t] = acc[i * d + t] * inv;
        }
    });
}

}  // namespace sdn::ops
