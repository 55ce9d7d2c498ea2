// The integer products of q8_0/q4_0 weights (cpu/gemm_int8.h) on the avx512-bf16 variant: the
// activation quantizer against blocks worked out by hand, then linear and conv2d against a
// double reference fed the same quantized activations (tight: only the float scale
// multiply-adds round) and against the unquantized activations (bounded by the activation
// quantization, int8_reference.h derives both bounds). Shapes cover M/N tails, K of one block,
// one slice and several slices (with a partial one), wide linear blocks and batched convs.
#include "cpu/gemm_int8.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/aligned_buffer.h"
#include "cpu/int8_reference.h"
#include "cpu/kernel_test_util.h"
#include "cpu/ops.h"
#include "quant/row_ops.h"
#include "support/scoped_env.h"

namespace {

using sdn::DType;
using namespace sdn_test;

bool int8_products_run_here() {
    return sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX512_BF16) &&
           (sdn::cpu_info().features & SDN_CPU_AVX512_VNNI);
}

#define REQUIRE_INT8_PRODUCTS()                                                                           \
    if (!int8_products_run_here()) GTEST_SKIP() << "this CPU or OS lacks AVX512-BF16 with AVX512-VNNI"

// One block worked by hand: max|x| = 12.7, so 127 / 12.7 is 10 in float and d = 12.7 / 127
// rounds to 0.1f; 12.7 -> 127, 1 -> 10, -0.26 -> -2.6 -> -3, 0.04 -> 0, -6.3 -> -63, and the
// two exact halves 0.25 -> 2.5 -> 2 and -0.75 -> -7.5 -> -8 round to even.
const float kBlockValues[8] = {12.7f, 1.0f, -0.26f, 0.04f, -6.3f, 0.25f, -0.75f, 0.0f};
const int kBlockQ[8] = {127, 10, -3, 0, -63, 2, -8, 0};
constexpr int kBlockQSum = 127 + 10 - 3 - 63 + 2 - 8;

TEST(GemmInt8, QuantizeRowsMatchesHandComputedQ8_0Blocks) {
    REQUIRE_INT8_PRODUCTS();
    // Row 0: the hand block, then an all-zero block; row 1: a block whose largest magnitude
    // is negative (-2.54: q = -127 there, 1.27 -> 63.5 avoided, 0.508 -> 25.4 -> 25).
    std::vector<float> x(2 * 64, 0.0f);
    std::memcpy(x.data(), kBlockValues, sizeof kBlockValues);
    x[64] = -2.54f;
    x[65] = 0.508f;
    std::vector<uint8_t> q(2 * 64);
    std::vector<float> d(4);
    sdn::cpu::int8::quantize_rows(x.data(), 64, 2, 2, q.data(), d.data());
    EXPECT_EQ(d[0], 0.1f);
    for (int k = 0; k < 32; ++k) EXPECT_EQ(q[k], (k < 8 ? kBlockQ[k] : 0) + 128) << "k " << k;
    EXPECT_EQ(d[1], 0.0f);
    for (int k = 32; k < 64; ++k) EXPECT_EQ(q[k], 128) << "k " << k;
    EXPECT_FLOAT_EQ(d[2], 0.02f);
    EXPECT_EQ(q[64], -127 + 128);
    EXPECT_EQ(q[65], 25 + 128);
    EXPECT_EQ(q[66], 128);
}

TEST(GemmInt8, QuantizeColumnPanelPlacesQuantsCorrectionsAndScales) {
    REQUIRE_INT8_PRODUCTS();
    // Column 19 (second half, lane 3) holds the hand block down its 32 rows; the rest is 0.
    sdn::AlignedBuffer<float> panel(32 * 32);
    std::memset(panel.data(), 0, 32 * 32 * 4);
    for (int k = 0; k < 8; ++k) panel[k * 32 + 19] = kBlockValues[k];
    sdn::AlignedBuffer<uint8_t> packed(static_cast<size_t>(sdn::cpu::int8::column_panel_bytes(1)));
    sdn::cpu::int8::quantize_column_panel(panel.data(), 1, packed.data());
    const auto p = sdn::cpu::int8::column_panel(packed.data(), 1);
    for (int j = 0; j < 32; ++j) {
        EXPECT_EQ(p.scale[j], j == 19 ? 0.1f : 0.0f) << "column " << j;
        EXPECT_EQ(p.corr[j], j == 19 ? -128 * kBlockQSum : 0) << "column " << j;
    }
    // k = 4g + t of column 19 sits at byte 512 + g * 64 + 3 * 4 + t.
    for (int k = 0; k < 32; ++k) EXPECT_EQ(p.q[512 + (k / 4) * 64 + 12 + k % 4], k < 8 ? kBlockQ[k] : 0) << "k " << k;
    int nonzero = 0;
    for (int i = 0; i < 1024; ++i) nonzero += p.q[i] != 0;
    EXPECT_EQ(nonzero, 6);
}

TEST(GemmInt8, AppliesOnlyToQ8_0AndQ4_0OnTheAvx512Bf16Variant) {
    REQUIRE_INT8_PRODUCTS();
    std::vector<uint8_t> bytes(4096);
    const sdn::WeightRef q8{DType::Q8_0, {4, 64}, bytes.data(), 4096}, q4{DType::Q4_0, {4, 64}, bytes.data(), 4096};
    const sdn::WeightRef q4k{DType::Q4_K, {4, 256}, bytes.data(), 4096}, f16{DType::F16, {4, 64}, bytes.data(), 4096};
    const auto& bf16 = sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512_BF16);
    EXPECT_TRUE(sdn::cpu::int8::applies(bf16, q8, 64));
    EXPECT_TRUE(sdn::cpu::int8::applies(bf16, q4, 64));
    EXPECT_FALSE(sdn::cpu::int8::applies(bf16, q4k, 256));
    EXPECT_FALSE(sdn::cpu::int8::applies(bf16, f16, 64));
    for (sdn_cpu_variant v : {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512, SDN_CPU_VARIANT_AVX512_AMX})
        EXPECT_FALSE(sdn::cpu::int8::applies(sdn::cpu::kernels_for(v), q8, 64)) << sdn::cpu_variant_name(v);
}

TEST(GemmInt8, ConvsTakeIntegerProductsOnlyWhenSdnCpuInt8ConvsAsks) {
    REQUIRE_INT8_PRODUCTS();
    std::vector<uint8_t> bytes(4096);
    // As conv2d hands it over: the weight seen as [O, C*kh*kw].
    const sdn::WeightRef conv{DType::Q8_0, {4, 32}, bytes.data(), 4096};
    const auto& bf16 = sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512_BF16);
    {
        const sdn_test::ScopedEnv unset{"SDN_CPU_INT8_CONVS", nullptr};
        EXPECT_TRUE(sdn::cpu::int8::applies(bf16, conv, 32));
        EXPECT_FALSE(sdn::cpu::int8::conv_applies(bf16, conv, 32));
    }
    {
        const sdn_test::ScopedEnv off{"SDN_CPU_INT8_CONVS", "0"};
        EXPECT_FALSE(sdn::cpu::int8::conv_applies(bf16, conv, 32));
    }
    const sdn_test::ScopedEnv on{"SDN_CPU_INT8_CONVS", "1"};
    EXPECT_TRUE(sdn::cpu::int8::conv_applies(bf16, conv, 32));
    EXPECT_FALSE(sdn::cpu::int8::conv_applies(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512), conv, 32));
}

std::vector<float> dequantized_rows(const OwnedWeight& w) {
    const int64_t rows = w.ref.shape.front(), K = w.ref.elements() / rows, row_bytes = sdn::dtype_row_bytes(w.ref.type, K);
    std::vector<float> out(static_cast<size_t>(rows * K));
    for (int64_t r = 0; r < rows; ++r)
        sdn::dequantize_row_reference(w.ref.type, w.bytes.data() + r * row_bytes, out.data() + r * K, K);
    return out;
}

// Checks got[i] against both references for activation row `row` and weight row `wrow`.
struct Checker {
    const std::vector<float>& x;  // activation rows [rows][K]
    int8_ref::QuantizedRows q;
    const std::vector<float>& w;  // dequantized weight rows [N][K]
    int64_t K;
    int failures = 0;
    void check(float got, int64_t row, int64_t wrow) {
        const auto same = int8_ref::same_quantized(q, row, w.data() + wrow * K, K);
        const auto exact = int8_ref::unquantized(x, q, row, w.data() + wrow * K, K);
        if (failures < 5 && (std::fabs(got - same.value) > same.bound || std::fabs(got - exact.value) > exact.bound)) {
            ++failures;
            ADD_FAILURE() << "row " << row << " weight row " << wrow << ": got " << got << ", same-quantized "
                          << same.value << " (bound " << same.bound << "), exact " << exact.value << " (bound "
                          << exact.bound << ")";
        }
    }
};

TEST(GemmInt8, LinearMatchesTheQuantizedReference) {
    REQUIRE_INT8_PRODUCTS();
    struct Case { DType type; int64_t M, K, N; };
    // K = 32: one block; 352: one slice; 1056 x 600: 33 blocks, one slice (each thread's 300
    // packed columns fit in L2); 1056 x 1200: 600 columns a thread do not, so K goes in slices
    // of 16 blocks (the last of 1) and the block in column chunks of 512; M = 300: rows in
    // sub-tiles.
    const Case cases[] = {{DType::Q8_0, 7, 32, 33},   {DType::Q8_0, 19, 352, 70},   {DType::Q4_0, 5, 352, 41},
                          {DType::Q4_0, 33, 64, 9},   {DType::Q8_0, 3, 1056, 600},  {DType::Q4_0, 3, 1056, 1200},
                          {DType::Q4_0, 300, 96, 17}, {DType::Q8_0, 1, 800, 1}};
    auto ctx = variant_context(SDN_CPU_VARIANT_AVX512_BF16);
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::Message() << dtype_label(c.type) << " M=" << c.M << " K=" << c.K << " N=" << c.N);
        // Activations with rows of very different scales, so per-block scales matter.
        auto x = random_vector(c.M * c.K, 81);
        for (int64_t i = 0; i < c.M; ++i)
            for (int64_t k = 0; k < c.K; ++k) x[i * c.K + k] *= 1.0f + static_cast<float>((i + k / 32) % 5) * 3.0f;
        const auto w = quantized_weight(c.type, {c.N, c.K}, random_vector(c.N * c.K, 82));
        const auto wd = dequantized_rows(w);
        std::vector<float> y(c.M * c.N);
        sdn::ops::linear(*ctx, x.data(), c.M, c.K, w.ref, nullptr, y.data());
        Checker check{x, int8_ref::quantize_rows(x, c.M, c.K), wd, c.K};
        for (int64_t i = 0; i < c.M; ++i)
            for (int64_t j = 0; j < c.N; ++j) check.check(y[i * c.N + j], i, j);
    }
}

TEST(GemmInt8, LinearAccumulatesAndAddsTheBias) {
    REQUIRE_INT8_PRODUCTS();
    const int64_t M = 5, K = 64, N = 19;
    auto ctx = variant_context(SDN_CPU_VARIANT_AVX512_BF16);
    const auto x = random_vector(M * K, 83);
    const auto w = quantized_weight(DType::Q8_0, {N, K}, random_vector(N * K, 84));
    const auto bias_values = random_vector(N, 85);
    const auto bias = make_weight(DType::F32, {N}, bias_values);
    std::vector<float> plain(M * N), summed(M * N, 2.0f);
    sdn::ops::linear(*ctx, x.data(), M, K, w.ref, nullptr, plain.data());
    sdn::ops::linear(*ctx, x.data(), M, K, w.ref, &bias.ref, summed.data(), true);
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j)
            EXPECT_NEAR(summed[i * N + j], plain[i * N + j] + 2.0f + bias_values[j], 1e-5) << i << "," << j;
}

TEST(GemmInt8, Conv2dAddsTheBias) {
    REQUIRE_INT8_PRODUCTS();
    const sdn_test::ScopedEnv int8_convs{"SDN_CPU_INT8_CONVS", "1"};
    // Two images (the batched layout's copy-back) and 40 output channels (a row tail).
    const int64_t B = 2, C = 32, H = 5, W = 6, O = 40;
    auto ctx = variant_context(SDN_CPU_VARIANT_AVX512_BF16);
    const auto x = random_vector(B * C * H * W, 92);
    const auto w = quantized_weight(DType::Q4_0, {O, C, 3, 3}, random_vector(O * C * 9, 93));
    const auto bias_values = random_vector(O, 94);
    const auto bias = make_weight(DType::F32, {O}, bias_values);
    std::vector<float> plain(B * O * H * W), biased(plain.size());
    sdn::ops::conv2d(*ctx, x.data(), B, C, H, W, w.ref, nullptr, 1, 1, plain.data());
    sdn::ops::conv2d(*ctx, x.data(), B, C, H, W, w.ref, &bias.ref, 1, 1, biased.data());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t p = 0; p < H * W; ++p) {
                const int64_t i = (b * O + o) * H * W + p;
                EXPECT_NEAR(biased[i], plain[i] + bias_values[o], 1e-5) << b << "," << o << "," << p;
            }
}

TEST(GemmInt8, ANaNInTheActivationsReachesTheOutputs) {
    REQUIRE_INT8_PRODUCTS();
    // The block maximum would skip a NaN (max(NaN, x) is x); the NaN must still come out, as
    // in the float paths, in the outputs its row or pixel feeds and nowhere else.
    auto ctx = variant_context(SDN_CPU_VARIANT_AVX512_BF16);
    const int64_t M = 3, K = 64, N = 5;
    auto x = random_vector(M * K, 88);
    x[1 * K + 40] = std::numeric_limits<float>::quiet_NaN();
    const auto w = quantized_weight(DType::Q8_0, {N, K}, random_vector(N * K, 89));
    std::vector<float> y(M * N);
    sdn::ops::linear(*ctx, x.data(), M, K, w.ref, nullptr, y.data());
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) EXPECT_EQ(std::isnan(y[i * N + j]), i == 1) << i << "," << j;
    // conv 1x1 over 3 pixels: pixel 2 of channel 7 is NaN.
    const sdn_test::ScopedEnv int8_convs{"SDN_CPU_INT8_CONVS", "1"};
    const int64_t C = 32, O = 4;
    auto img = random_vector(C * 3, 90);
    img[7 * 3 + 2] = std::numeric_limits<float>::quiet_NaN();
    const auto cw = quantized_weight(DType::Q8_0, {O, C, 1, 1}, random_vector(O * C, 91));
    std::vector<float> out(O * 3);
    sdn::ops::conv2d(*ctx, img.data(), 1, C, 1, 3, cw.ref, nullptr, 1, 0, out.data());
    for (int64_t o = 0; o < O; ++o)
        for (int64_t p = 0; p < 3; ++p) EXPECT_EQ(std::isnan(out[o * 3 + p]), p == 2) << o << "," << p;
}

TEST(GemmInt8, Conv2dMatchesTheQuantizedReference) {
    REQUIRE_INT8_PRODUCTS();
    const sdn_test::ScopedEnv int8_convs{"SDN_CPU_INT8_CONVS", "1"};
    struct Case { DType type; int64_t B, C, H, W, O, k, stride, pad; };
    // K = C*k*k: 288 (9 blocks), 64 (1x1), 864 (27 blocks); O = 800 at K = 1152 (36 blocks): a
    // thread's 400 weight rows do not fit in L2 whole, so K goes in slices of 16, 16 and 4. A
    // batch of 2 puts both images' pixels in one column panel; O = 37 leaves a row tail of 1.
    const Case cases[] = {{DType::Q8_0, 1, 32, 7, 5, 11, 3, 1, 1},   {DType::Q4_0, 2, 32, 6, 9, 37, 3, 2, 1},
                          {DType::Q8_0, 2, 64, 5, 5, 8, 1, 1, 0},    {DType::Q8_0, 1, 96, 9, 9, 5, 3, 1, 1},
                          {DType::Q4_0, 1, 64, 19, 17, 3, 1, 1, 0},  {DType::Q8_0, 1, 128, 4, 4, 800, 3, 1, 1}};
    auto ctx = variant_context(SDN_CPU_VARIANT_AVX512_BF16);
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::Message() << dtype_label(c.type) << " B=" << c.B << " C=" << c.C << " " << c.H << "x"
                                        << c.W << " O=" << c.O << " k=" << c.k << " stride " << c.stride);
        const auto x = random_vector(c.B * c.C * c.H * c.W, 86, -2.0f, 2.0f);
        const int64_t K = c.C * c.k * c.k;
        const auto w = quantized_weight(c.type, {c.O, c.C, c.k, c.k}, random_vector(c.O * K, 87));
        const auto wd = dequantized_rows(w);
        int64_t Ho = 0, Wo = 0;
        const auto cols = int8_ref::im2col(x, c.B, c.C, c.H, c.W, c.k, c.stride, c.pad, Ho, Wo);
        const int64_t P = Ho * Wo;
        std::vector<float> y(c.B * c.O * P);
        sdn::ops::conv2d(*ctx, x.data(), c.B, c.C, c.H, c.W, w.ref, nullptr, static_cast<int>(c.stride),
                         static_cast<int>(c.pad), y.data());
        Checker check{cols, int8_ref::quantize_rows(cols, c.B * P, K), wd, K};
        for (int64_t b = 0; b < c.B; ++b)
            for (int64_t o = 0; o < c.O; ++o)
                for (int64_t p = 0; p < P; ++p) check.check(y[(b * c.O + o) * P + p], b * P + p, o);
    }
}

}  // namespace
