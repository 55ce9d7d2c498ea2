// linear: y[M, N] = x[M, K] * W^T + b through the blocked GEMM, with W (stored [N, K] in any
// type) converted to float32 one packed panel at a time; q8_0/q4_0 weights on AVX512-VNNI CPUs
// take integer products instead (cpu/gemm_int8.h).
#include <algorithm>
#include <string>
#include <vector>

#include "core/error.h"
#include "cpu/gemm.h"
#include "cpu/gemm_int8.h"
#include "cpu/ops.h"
#include "cpu/scratch.h"
#include "cpu/weight_rows.h"

namespace sdn::ops {

void linear(Context& ctx, const float* x, int64_t M, int64_t K, const WeightRef& w,
            const WeightRef* bias, float* y, bool accumulate) {
    cpu::require_readable_weight(w, "linear");
    SDN_REQUIRE(w.row_elems() == K, SDN_ERR_INVALID_ARGUMENT,
                "linear: weight rows have " + std::to_string(w.row_elems()) + " elements, input has " +
                    std::to_string(K));
    const int64_t N = w.rows();
    const cpu::KernelTable& kt = cpu::kernels(ctx);
    std::vector<float> b;
    if (bias && bias->valid()) {
        b = cpu::weight_vector_f32(kt, *bias);
        SDN_REQUIRE(static_cast<int64_t>(b.size()) == N, SDN_ERR_INVALID_ARGUMENT, "linear: bias size mismatch");
    }

    cpu::GemmJob job;
    job.M = M;
    job.N = N;
    job.K = K;
    job.c = y;
    job.ldc = N;
    job.accumulate = accumulate;
    job.a = x;
    job.lda = K;
    job.k_align = cpu::weight_block_elems(w.type);
    job.b_weight = &w;
    job.pack_b = [&](int64_t n0, int64_t cols, int64_t k0, int64_t kc, int nr, float* panel) {
        float* rows = cpu::thread_scratch(cpu::ScratchSlot::Rows, static_cast<size_t>(nr * kc));
        for (int64_t j = 0; j < cols; ++j) cpu::weight_row_f32(kt, w, n0 + j, k0, kc, rows + j * kc);
        kt.pack_transposed(rows, kc, static_cast<int>(cols), kc, nr, panel);
    };
    if (!b.empty()) {
        job.epilogue = [&](int64_t m0, int64_t rows, int64_t n0, int64_t cols) {
            for (int64_t i = m0; i < m0 + rows; ++i) {
                float* yi = y + i * N;
                for (int64_t j = n0; j < n0 + cols; ++j) yi[j] += b[j];
            }
        };
    }
    if (K == 0) {
        for (int64_t i = 0; i < M; ++i)
            for (int64_t j = 0; j < N; ++j) y[i * N + j] = (accumulate ? y[i * N + j] : 0.0f) + (b.empty() ? 0.0f : b[j]);
        return;
    }
    if (cpu::int8::applies(kt, w, K))
        cpu::int8::run_gemm(ctx, job);
    else
        cpu::run_gemm(ctx, kt, job);
}

}  // namespace sdn::ops
