// linear and conv2d with block-quantized weights (q8_0, q4_0, q4_K): the kernels dequantize
// one tile of rows at a time, so tiles must start on block boundaries and rows of any block
// count must come out right. The reference expands the same bytes with the quant reference
// dequantizer and multiplies in double. On the avx512-bf16 variant q8_0 and q4_0 weights take
// integer products (cpu/gemm_int8.h), whose activations are quantized per 32-block: there the
// reference is fed activations quantized the same way (int8_reference.h), so the bound stays
// as tight as for the other variants.
#include "cpu/ops.h"

#include "core/cpu_features.h"
#include "cpu/int8_reference.h"
#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"
#include "quant/row_ops.h"
#include "support/scoped_env.h"

namespace {

using sdn::DType;
using namespace sdn_test;

// The weight's values as the quant reference dequantizer expands them.
std::vector<float> dequantized(const OwnedWeight& w) {
    const int64_t rows = w.ref.shape.front(), K = w.ref.elements() / rows;
    const int64_t row_bytes = sdn::dtype_row_bytes(w.ref.type, K);
    std::vector<float> out(static_cast<size_t>(rows * K));
    for (int64_t r = 0; r < rows; ++r)
        sdn::dequantize_row_reference(w.ref.type, w.bytes.data() + r * row_bytes, out.data() + r * K, K);
    return out;
}

// True when the variant multiplies weights of this type by integer products.
bool integer_products(sdn_cpu_variant v, DType type) {
    return v == SDN_CPU_VARIANT_AVX512_BF16 && (sdn::cpu_info().features & SDN_CPU_AVX512_VNNI) &&
           (type == DType::Q8_0 || type == DType::Q4_0);
}

// Rows [rows][K] of activations as the integer products see them.
std::vector<float> quantized_activations(const std::vector<float>& x, int64_t rows, int64_t K) {
    const auto q = sdn_test::int8_ref::quantize_rows(x, rows, K);
    return std::vector<float>(q.values.begin(), q.values.end());
}

class QuantizedWeightsPerVariant : public sdn_test::EveryVariant {};

TEST_P(QuantizedWeightsPerVariant, LinearMatchesReferenceForEveryVariant) {
    struct Case { DType type; int64_t M, K, N; };
    // K = 352 ends in a partial K tile (128 + 128 + 96); K = 1280 is five q4_K super-blocks.
    const Case cases[] = {{DType::Q8_0, 7, 96, 33},   {DType::Q8_0, 19, 352, 70}, {DType::Q4_0, 5, 352, 41},
                          {DType::Q4_0, 33, 64, 9},   {DType::Q4_K, 9, 256, 17},  {DType::Q4_K, 3, 1280, 40}};
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::Message() << sdn::dtype_traits(c.type).name << " M=" << c.M << " K=" << c.K << " N=" << c.N);
        auto x = random_vector(c.M * c.K, 71);
        auto w = quantized_weight(c.type, {c.N, c.K}, random_vector(c.N * c.K, 72));
        std::vector<float> got(c.M * c.N), want(c.M * c.N);
        sdn::ops::linear(*ctx, x.data(), c.M, c.K, w.ref, nullptr, got.data());
        if (integer_products(v, c.type)) {
            const auto xq = quantized_activations(x, c.M, c.K);
            const auto wd = make_weight(DType::F32, w.ref.shape, dequantized(w));
            sdn::ref::linear(xq.data(), c.M, c.K, wd.ref, nullptr, want.data());
        } else {
            const auto xp = product_operand(v, x);
            const auto wp = product_weight(v, w, dequantized(w));
            sdn::ref::linear(xp.data(), c.M, c.K, wp.ref, nullptr, want.data());
        }
        EXPECT_LT(normalized_error(got, want), 2e-6);
    }
}

TEST_P(QuantizedWeightsPerVariant, Conv2dWithQ8_0Weights) {
    // 32 channels x 9 taps = 288 = 9 blocks of 32 per output channel. Convs take integer
    // products only when SDN_CPU_INT8_CONVS asks (cpu/gemm_int8.h): both settings are checked.
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    const int64_t C = 32, H = 7, W = 5, O = 11;
    auto x = random_vector(2 * C * H * W, 73);
    auto w = quantized_weight(DType::Q8_0, {O, C, 3, 3}, random_vector(O * C * 9, 74));
    for (const char* int8_convs : {static_cast<const char*>(nullptr), "1"}) {
        SCOPED_TRACE(int8_convs ? "SDN_CPU_INT8_CONVS=1" : "SDN_CPU_INT8_CONVS unset");
        const ScopedEnv env{"SDN_CPU_INT8_CONVS", int8_convs};
        std::vector<float> got(2 * O * H * W), want(got.size());
        sdn::ops::conv2d(*ctx, x.data(), 2, C, H, W, w.ref, nullptr, 1, 1, got.data());
        if (int8_convs && integer_products(v, DType::Q8_0)) {
            // Each output pixel's im2col column is what gets quantized.
            int64_t Ho = 0, Wo = 0;
            const auto cols = int8_ref::im2col(x, 2, C, H, W, 3, 1, 1, Ho, Wo);
            const auto q = int8_ref::quantize_rows(cols, 2 * H * W, C * 9);
            const auto wd = dequantized(w);
            for (int64_t b = 0; b < 2; ++b)
                for (int64_t o = 0; o < O; ++o)
                    for (int64_t p = 0; p < H * W; ++p)
                        want[(b * O + o) * H * W + p] = static_cast<float>(
                            int8_ref::same_quantized(q, b * H * W + p, wd.data() + o * C * 9, C * 9).value);
        } else {
            const auto xp = product_operand(v, x);
            const auto wp = product_weight(v, w, dequantized(w));
            sdn::ref::conv2d(xp.data(), 2, C, H, W, wp.ref, nullptr, 1, 1, want.data());
        }
        EXPECT_LT(normalized_error(got, want), 2e-6);
    }
}

TEST(QuantizedWeights, RowLengthNotABlockMultipleIsRejected) {
    auto ctx = variant_context(SDN_CPU_VARIANT_SCALAR, 1);
    std::vector<uint8_t> bytes(1024);
    sdn::WeightRef w{DType::Q8_0, {2, 40}, bytes.data(), 1024};
    std::vector<float> x(40), y(2);
    EXPECT_THROW(sdn::ops::linear(*ctx, x.data(), 1, 40, w, nullptr, y.data()), sdn::Error);
}

SDN_INSTANTIATE_FOR_VARIANTS(QuantizedWeightsPerVariant, ::sdn_test::kAllVariants);

}  // namespace
