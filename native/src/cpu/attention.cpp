// Flash-style attention: for each (batch, head, block of 64 queries) the keys are visited in
// blocks of 256; scores for one block at a time go through an online softmax (running max m
// and sum l per query, earlier output rescaled by exp(m_old - m_new)), so the full Nq x Nk
// score matrix never exists. Both products (Q K^T and P V) run on the GEMM micro-kernel.
#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "cpu/gemm.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"

namespace sdn::ops {

namespace {
constexpr int64_t kBlockQ = 64;
constexpr int64_t kBlockK = 256;
}  // namespace

void attention(Context& ctx, const AttentionArgs& a) {
    SDN_REQUIRE(a.q && a.k && a.v && a.out && a.head_dim > 0 && a.heads > 0, SDN_ERR_INVALID_ARGUMENT,
                "attention: missing tensors or empty heads");
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    const int64_t d = a.head_dim;
    const int64_t q_blocks = (a.nq + kBlockQ - 1) / kBlockQ;
    const int64_t tasks = a.batch * a.heads * q_blocks;
    ctx.note_scratch_bytes(static_cast<int64_t>(ctx.threads()) *
                           (kBlockQ * kBlockK + kBlockQ * d + 2 * kBlockQ + kBlockK * 64) * 4);

    ctx.pool().parallel_for(tasks, [&](int64_t task, int) {
        const int64_t qb = task % q_blocks;
        const int64_t h = (task / q_blocks) % a.heads;
        const int64_t b = task / (q_blocks * a.heads);
        const int64_t q0 = qb * kBlockQ;
        const int64_t bq = std::min(kBlockQ, a.nq - q0);

        float* scratch = cpu::thread_scratch(cpu::ScratchSlot::Scores,
                                             static_cast<size_t>(kBlockQ * kBlockK + kBlockQ * d + 2 * kBlockQ));
        float* scores = scratch;                      // [bq, kBlockK]
        float* acc = scores + kBlockQ * kBlockK;      // [bq, d]
        float* row_max = acc + kBlockQ * d;           // running max per query
        float* row_sum = row_max + kBlockQ;           // running sum of exp per query
        std::fill(acc, acc + bq * d, 0.0f);
        std::fill(row_max, row_max + bq, -INFINITY);
        std::fill(row_sum, row_sum + bq, 0.0f);

        const float* qbase = a.q + (b * a.nq + q0) * a.q_stride + h * d;
        const float* kbase = a.k + b * a.nk * a.k_stride + h * d;
        const float* vbase = a.v + b * a.nk * a.v_stride + h * d;
        // With a causal mask no key past the block's last query matters.
        const int64_t nk_used = a.causal ? std::min(a.nk, q0 + bq) : a.nk;

        for (int64_t k0 = 0; k0 < nk_used; k0 += kBlockK) {
            const int64_t bk = std::min(kBlockK, nk_used - k0);
            cpu::GemmJob s;
            s.M = bq;
            s.N = bk;
            s.K = d;
            s.c = scores;
            s.ldc = kBlockK;
            s.a = qbase;
            s.lda = a.q_stride;
            s.pack_b = [&](int64_t n0, int64_t cols, int64_t d0, int64_t dc, int nr, float* panel) {
                for (int64_t j = 0; j < cols; ++j) {
                    const float* key = kbase + (k0 + n0 + j) * a.k_stride + d0;
                    for (int64_t t = 0; t < dc; ++t) panel[t * nr + j] = key[t];
                }
                for (int64_t t = 0; t < dc; ++t)
                    for (int64_t j = cols; j < nr; ++j) panel[t * nr + j] = 0.0f;
            };
            cpu::run_gemm_serial(kt, s);

            for (int64_t i = 0; i < bq; ++i) {
                float* srow = scores + i * kBlockK;
                kt.scale_row(srow, bk, a.scale);
                int64_t valid = bk;
                if (a.causal) {
                    valid = std::clamp<int64_t>(q0 + i - k0 + 1, 0, bk);
                    for (int64_t j = valid; j < bk; ++j) srow[j] = 0.0f;  // contributes nothing below
                }
                if (valid == 0) continue;
                const float block_max = kt.row_max(srow, valid);
                const float new_max = std::max(row_max[i], block_max);
                const float correction = row_max[i] == -INFINITY ? 0.0f : std::exp(row_max[i] - new_max);
                const float block_sum = kt.exp_shifted_sum(srow, valid, new_max);
                row_sum[i] = row_sum[i] * correction + block_sum;
                row_max[i] = new_max;
                if (correction != 1.0f) kt.scale_row(acc + i * d, d, correction);
            }

            cpu::GemmJob pv;
            pv.M = bq;
            pv.N = d;
            pv.K = bk;
            pv.c = acc;
            pv.ldc = d;
            pv.accumulate = true;
            pv.a = scores;
            pv.lda = kBlockK;
            pv.pack_b = [&](int64_t n0, int64_t cols, int64_t j0, int64_t jc, int nr, float* panel) {
                for (int64_t t = 0; t < jc; ++t) {
                    const float* val = vbase + (k0 + j0 + t) * a.v_stride + n0;
                    float* dst = panel + t * nr;
                    for (int64_t j = 0; j < cols; ++j) dst[j] = val[j];
                    for (int64_t j = cols; j < nr; ++j) dst[j] = 0.0f;
                }
            };
            cpu::run_gemm_serial(kt, pv);
        }

        for (int64_t i = 0; i < bq; ++i) {
            float* orow = a.out + (b * a.nq + q0 + i) * a.out_stride + h * d;
            const float inv = row_sum[i] > 0.0f ? 1.0f / row_sum[i] : 0.0f;
            for (int64_t t = 0; t < d; ++t) orow[t] = acc[i * d + t] * inv;
        }
    });
}

}  // namespace sdn::ops
