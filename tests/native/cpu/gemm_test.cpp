// The GEMM driver's tiling: a task owns a slice of the weight operand (rows of A when A is
// loaded per tile, else columns of B) and walks the other dimension in sub-tiles. These shapes
// cross every boundary (several tasks, several sub-tiles, partial K tiles, ragged edges) and
// are checked against a double-precision triple loop, with the epilogue seeing each element of
// C exactly once.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "cpu/gemm.h"
#include "cpu/kernel_table.h"
#include "kernel_test_util.h"
#include "support/every_variant.h"

namespace {

struct Shape {
    int64_t M, N, K;
};

// C = A * B (+ C0 when accumulating), A [M, K] row-major, B [K, N] row-major.
std::vector<double> reference(const Shape& s, const std::vector<float>& a, const std::vector<float>& b,
                              const std::vector<float>& c0, bool accumulate) {
    std::vector<double> c(static_cast<size_t>(s.M * s.N));
    for (int64_t i = 0; i < s.M; ++i)
        for (int64_t j = 0; j < s.N; ++j) {
            double sum = accumulate ? c0[i * s.N + j] : 0.0;
            for (int64_t k = 0; k < s.K; ++k) sum += static_cast<double>(a[i * s.K + k]) * b[k * s.N + j];
            c[i * s.N + j] = sum;
        }
    return c;
}

void check(sdn_cpu_variant variant, int threads, const Shape& s, bool load_a, bool accumulate, bool serial) {
    auto ctx = sdn_test::variant_context(variant, threads);
    const sdn::cpu::KernelTable& kt = sdn::cpu::kernels(*ctx);
    const auto a = sdn_test::random_vector(static_cast<size_t>(s.M * s.K), 11);
    const auto b = sdn_test::random_vector(static_cast<size_t>(s.K * s.N), 12);
    const auto c0 = sdn_test::random_vector(static_cast<size_t>(s.M * s.N), 13);
    std::vector<float> c = c0;
    std::vector<int> epilogue_hits(static_cast<size_t>(s.M * s.N), 0);

    sdn::cpu::GemmJob job;
    job.M = s.M;
    job.N = s.N;
    job.K = s.K;
    job.c = c.data();
    job.ldc = s.N;
    job.accumulate = accumulate;
    if (load_a) {
        job.load_a = [&](int64_t m0, int64_t rows, int64_t k0, int64_t kc, float* dst) {
            for (int64_t r = 0; r < rows; ++r)
                for (int64_t k = 0; k < kc; ++k) dst[r * kc + k] = a[(m0 + r) * s.K + k0 + k];
        };
    } else {
        job.a = a.data();
        job.lda = s.K;
    }
    job.pack_b = [&](int64_t n0, int64_t cols, int64_t k0, int64_t kc, int nr, float* panel) {
        for (int64_t k = 0; k < kc; ++k)
            for (int j = 0; j < nr; ++j) panel[k * nr + j] = j < cols ? b[(k0 + k) * s.N + n0 + j] : 0.0f;
    };
    // Pool threads write distinct C blocks, so distinct counters: no race.
    job.epilogue = [&](int64_t m0, int64_t rows, int64_t n0, int64_t cols) {
        for (int64_t i = m0; i < m0 + rows; ++i)
            for (int64_t j = n0; j < n0 + cols; ++j) ++epilogue_hits[i * s.N + j];
    };
    if (serial)
        sdn::cpu::run_gemm_serial(kt, job);
    else
        sdn::cpu::run_gemm(*ctx, kt, job);

    const auto expect = reference(s, sdn_test::product_operand(variant, a), sdn_test::product_operand(variant, b), c0, accumulate);
    double worst = 0.0;
    for (size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::fabs(c[i] - expect[i]));
    // |terms| <= 1 and K <= 1100: float32 accumulation stays far inside 1e-3.
    EXPECT_LT(worst, 1e-3) << "M " << s.M << " N " << s.N << " K " << s.K;
    int wrong_hits = 0;
    for (int h : epilogue_hits) wrong_hits += h != 1;
    EXPECT_EQ(wrong_hits, 0);
}

}  // namespace

class GemmPerVariant : public sdn_test::EveryVariant {};

TEST_P(GemmPerVariant, LoadedAOperandSplitsRowsAndWalksColumnsInSubTiles) {
    const sdn_cpu_variant v = variant();
    for (int threads : {1, 2, 3}) {
        check(v, threads, {1100, 700, 300}, true, false, false);
        check(v, threads, {37, 5, 200}, true, true, false);
        check(v, threads, {70, 90, 1100}, true, true, false);  // several K tiles on every path
    }
}

TEST_P(GemmPerVariant, InPlaceAOperandSplitsColumnsAndWalksRowsInSubTiles) {
    const sdn_cpu_variant v = variant();
    for (int threads : {1, 2, 3}) {
        check(v, threads, {600, 1100, 300}, false, false, false);
        check(v, threads, {3, 45, 400}, false, true, false);
        check(v, threads, {45, 70, 1100}, false, false, false);
    }
    // More columns per thread than the bf16 paths pack at once, with K in several slices:
    // the block goes in column chunks (with and without accumulation into C).
    check(v, 1, {40, 1300, 900}, false, false, false);
    check(v, 2, {40, 1300, 900}, false, true, false);
}

TEST_P(GemmPerVariant, SerialDriverMatchesTheReference) {
    const sdn_cpu_variant v = variant();
    check(v, 1, {300, 600, 150}, false, true, true);
    check(v, 1, {300, 600, 150}, true, false, true);
}

SDN_INSTANTIATE_FOR_VARIANTS(GemmPerVariant, ::sdn_test::kAllVariants);
