// Flash-style attention, computed transposed so that nothing is re-packed per query block.
// A task is (batch, head, up to 512 queries). Keys are visited in blocks of 256; for each
// 32-query panel the micro-kernel produces S^T = K Q^T (keys down, queries across) directly in
// the packed-panel layout, an online softmax runs down its columns (running max and sum per
// query; earlier output rescaled by exp(m_old - m_new)), and O^T += V^T P^T consumes that
// same panel as its B operand. The full Nq x Nk score matrix never exists.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "cpu/attention_bf16.h"
#include "cpu/kernel_table.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"

namespace sdn::ops {

namespace {

constexpr int64_t kTaskQ = cpu::kAttentionTaskQ;  // queries per task (each reads all of its head's K and V)
constexpr int64_t kBlockK = 256;  // keys per block

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// C[M, nr] (+)= A * B from packed A row panels (K deep) and one packed B panel (K deep).
void panel_gemm(const cpu::KernelTable& kt, int64_t M, int64_t K, const float* a, const float* b,
                float* c, int64_t ldc, bool accumulate) {
    const int mr = kt.gemm_mr;
    for (int64_t i0 = 0; i0 < M; i0 += mr) {
        const int m_here = static_cast<int>(std::min<int64_t>(mr, M - i0));
        kt.gemm(K, a + i0 * K, b, c + i0 * ldc, ldc, m_here, kt.gemm_nr, accumulate);
    }
}

struct TaskBuffers {
    float* qt;          // Q^T panels: [nq_pad / nr][d][nr], pre-scaled
    float* ot;          // O^T accumulator: [d][nq_pad]
    float* col_max;     // [nq_pad]
    float* col_sum;     // [nq_pad]
    float* correction;  // [nq_pad]
    float* k_panels;    // K as A panels: [bk_pad / mr][d][mr]
    float* vt_panels;   // V^T as A panels: [d_pad / mr][bk][mr]
    float* st;          // one S^T / P^T panel: [kBlockK][nr]
};

}  // namespace

void attention(Context& ctx, const AttentionArgs& a) {
    SDN_REQUIRE(a.q && a.k && a.v && a.out && a.head_dim > 0 && a.heads > 0, SDN_ERR_INVALID_ARGUMENT,
                "attention: missing tensors or empty heads");
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    const int mr = kt.gemm_mr, nr = kt.gemm_nr;
    const int64_t d = a.head_dim;
    const int64_t q_tasks = (a.nq + kTaskQ - 1) / kTaskQ;
    const int64_t tasks = a.batch * a.heads * q_tasks;
    if (kt.matrix_bf16 && d <= cpu::kAttentionBf16MaxHeadDim) {
        const int64_t floats = cpu::attention_bf16_scratch_floats(d);
        ctx.note_scratch_bytes(static_cast<int64_t>(ctx.threads()) * floats * 4);
        ctx.pool().parallel_for(tasks, [&](int64_t task, int) {
            const int64_t qt_index = task % q_tasks, h = (task / q_tasks) % a.heads, b = task / (q_tasks * a.heads);
            const int64_t q0 = qt_index * kTaskQ;
            float* scratch = cpu::thread_scratch(cpu::ScratchSlot::Scores, static_cast<size_t>(floats));
            cpu::attention_task_bf16(kt, a, b, h, q0, std::min(kTaskQ, a.nq - q0), scratch);
        });
        return;
    }
    const int64_t nq_cap = round_up(kTaskQ, nr);
    // Each slot a whole number of 64-byte lines: the micro-kernel loads its B panels (Q^T, the
    // score panel) aligned, and with AVX2's mr = 6 an odd head size left the later slots off
    // the line.
    const int64_t sizes[] = {round_up(nq_cap * d, 16),
                             round_up(d * nq_cap, 16),
                             nq_cap,
                             nq_cap,
                             nq_cap,
                             round_up(round_up(kBlockK, mr) * d, 16),
                             round_up(round_up(d, mr) * kBlockK, 16),
                             kBlockK * nr};
    int64_t scratch_floats = 0;
    for (int64_t s : sizes) scratch_floats += s;
    ctx.note_scratch_bytes(static_cast<int64_t>(ctx.threads()) * scratch_floats * 4);

    ctx.pool().parallel_for(tasks, [&](int64_t task, int) {
        const int64_t qt_index = task % q_tasks;
        const int64_t h = (task / q_tasks) % a.heads;
        const int64_t b = task / (q_tasks * a.heads);
        const int64_t q0 = qt_index * kTaskQ;
        const int64_t nq = std::min(kTaskQ, a.nq - q0);
        const int64_t nq_pad = round_up(nq, nr);

        float* base = cpu::thread_scratch(cpu::ScratchSlot::Scores, static_cast<size_t>(scratch_floats));
        TaskBuffers t;
        float* cursor = base;
        float** slots[] = {&t.qt, &t.ot, &t.col_max, &t.col_sum, &t.correction, &t.k_panels, &t.vt_panels, &t.st};
        for (int i = 0; i < 8; ++i) {
            *slots[i] = cursor;
            cursor += sizes[i];
        }
        std::fill(t.ot, t.ot + d * nq_pad, 0.0f);
        std::fill(t.col_max, t.col_max + nq_pad, -INFINITY);
        std::fill(t.col_sum, t.col_sum + nq_pad, 0.0f);

        // Q^T panels, scaled once so the scores come out multiplied by `scale`.
        const float* qbase = a.q + (b * a.nq + q0) * a.q_stride + h * d;
        for (int64_t p0 = 0; p0 < nq_pad; p0 += nr) {
            float* panel = t.qt + p0 * d;
            for (int64_t c = 0; c < nr; ++c) {
                if (p0 + c < nq) {
                    const float* q = qbase + (p0 + c) * a.q_stride;
                    for (int64_t k = 0; k < d; ++k) panel[k * nr + c] = q[k] * a.scale;
                } else {
                    for (int64_t k = 0; k < d; ++k) panel[k * nr + c] = 0.0f;
                }
            }
        }

        const float* kbase = a.k + b * a.nk * a.k_stride + h * d;
        const float* vbase = a.v + b * a.nk * a.v_stride + h * d;
        // With a causal mask no key past the task's last query matters.
        const int64_t nk_used = a.causal ? std::min(a.nk, q0 + nq) : a.nk;

        for (int64_t k0 = 0; k0 < nk_used; k0 += kBlockK) {
            const int64_t bk = std::min(kBlockK, nk_used - k0);
            // Ask for the next block's key and value rows now: they are strided rows of a large
            // tensor that the hardware prefetcher does not follow, and packing them otherwise
            // waits on memory.
            const int64_t next = k0 + kBlockK;
            for (int64_t j = next; j < std::min(nk_used, next + kBlockK); ++j)
                for (int64_t off = 0; off < d; off += 16) {
                    __builtin_prefetch(kbase + j * a.k_stride + off);
                    __builtin_prefetch(vbase + j * a.v_stride + off);
                }
            // K rows as A panels [d][mr].
            for (int64_t i0 = 0; i0 < bk; i0 += mr) {
                float* panel = t.k_panels + i0 * d;
                for (int64_t r = 0; r < mr; ++r) {
                    if (i0 + r < bk) {
                        const float* key = kbase + (k0 + i0 + r) * a.k_stride;
                        for (int64_t k = 0; k < d; ++k) panel[k * mr + r] = key[k];
                    } else {
                        for (int64_t k = 0; k < d; ++k) panel[k * mr + r] = 0.0f;
                    }
                }
            }
            // V^T as A panels: rows are head dims, K runs over the block's keys.
            for (int64_t d0 = 0; d0 < d; d0 += mr) {
                float* panel = t.vt_panels + d0 * bk;
                const int64_t here = std::min<int64_t>(mr, d - d0);
                for (int64_t j = 0; j < bk; ++j) {
                    const float* val = vbase + (k0 + j) * a.v_stride + d0;
                    float* dst = panel + j * mr;
                    for (int64_t r = 0; r < here; ++r) dst[r] = val[r];
                    for (int64_t r = here; r < mr; ++r) dst[r] = 0.0f;
                }
            }

            for (int64_t p0 = 0; p0 < nq_pad; p0 += nr) {
                if (a.causal && k0 > q0 + std::min<int64_t>(p0 + nr, nq) - 1) break;  // all masked
                panel_gemm(kt, bk, d, t.k_panels, t.qt + p0 * d, t.st, nr, false);
                if (a.causal) {
                    for (int64_t j = 0; j < bk; ++j)
                        for (int64_t c = 0; c < nr; ++c)
                            if (k0 + j > q0 + p0 + c) t.st[j * nr + c] = -INFINITY;
                }
                kt.column_online_softmax(t.st, bk, nr, nr, t.col_max + p0, t.col_sum + p0, t.correction + p0);
                kt.scale_columns(t.ot + p0, d, nr, nq_pad, t.correction + p0);
                panel_gemm(kt, d, bk, t.vt_panels, t.st, t.ot + p0, nq_pad, true);
            }
        }

        for (int64_t i = 0; i < nq; ++i) {
            float* orow = a.out + (b * a.nq + q0 + i) * a.out_stride + h * d;
            const float inv = t.col_sum[i] > 0.0f ? 1.0f / t.col_sum[i] : 0.0f;
            for (int64_t k = 0; k < d; ++k) orow[k] = t.ot[k * nq_pad + i] * inv;
        }
    });
}

}  // namespace sdn::ops
