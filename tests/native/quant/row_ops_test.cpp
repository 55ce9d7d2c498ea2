// Fast row kernels (AVX2, AVX-512) against the scalar reference, for every type and every
// variant (one the CPU lacks is reported skipped); vec_dot against a double reference.
#include "quant/row_ops.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu_features.h"
#include "core/half.h"
#include "quant_test_data.h"
#include "support/every_variant.h"

namespace {

using sdn::DType;

const DType kAllTypes[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1,
                           DType::Q5_0, DType::Q5_1, DType::Q8_0, DType::Q2_K, DType::Q3_K,
                           DType::Q4_K, DType::Q5_K, DType::Q6_K};

// Offsets of each block's f16 scale fields (kept finite when a block is filled with random bytes).
std::vector<int> half_offsets(DType t) {
    switch (t) {
        case DType::Q4_0: case DType::Q5_0: case DType::Q8_0: return {0};
        case DType::Q4_1: case DType::Q5_1: case DType::Q4_K: case DType::Q5_K: return {0, 2};
        case DType::Q2_K: return {80, 82};
        case DType::Q3_K: return {108};
        case DType::Q6_K: return {208};
        default: return {};
    }
}

// A stored row: half quantized from data, half raw random bytes (every bit pattern of the
// packed fields) with finite scales.
std::vector<uint8_t> make_row(DType t, int64_t n, uint32_t seed) {
    const auto& tr = sdn::dtype_traits(t);
    std::vector<uint8_t> row(static_cast<size_t>(sdn::dtype_row_bytes(t, n)));
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(-2.0f, 2.0f);
    if (t == DType::F32 || t == DType::F16 || t == DType::BF16) {
        std::vector<float> x(static_cast<size_t>(n));
        for (auto& v : x) v = u(rng) * 10.0f;
        sdn::quantize_row_reference(t, x.data(), row.data(), n);
        return row;
    }
    const int64_t blocks = n / tr.block_elems;
    auto data = quant_test::datasets(n, seed)[0].values;
    sdn::quantize_row_reference(t, data.data(), row.data(), n);
    for (int64_t b = 1; b < blocks; b += 2) {
        uint8_t* p = row.data() + b * tr.block_bytes;
        for (int64_t i = 0; i < tr.block_bytes; ++i) p[i] = static_cast<uint8_t>(rng());
        for (int off : half_offsets(t)) {
            uint16_t h = sdn::f32_to_f16(u(rng));
            std::memcpy(p + off, &h, 2);
        }
    }
    return row;
}

// The fast row ops are checked against the reference; the dot products on every variant.
constexpr sdn_cpu_variant kFastVariants[] = {SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512};
constexpr sdn_cpu_variant kRowVariants[] = {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512};

class RowOpsFastPerVariant : public sdn_test::EveryVariant {};
class RowOpsPerVariant : public sdn_test::EveryVariant {};

TEST_P(RowOpsFastPerVariant, FastDequantizeMatchesReference) {
    const sdn_cpu_variant v = variant();
    for (DType t : kAllTypes) {
        const int64_t block = sdn::dtype_traits(t).block_elems;
        for (int64_t n : {block, block * 3, block * 8 + (block == 1 ? 13 : 0)}) {
            auto row = make_row(t, n, static_cast<uint32_t>(n * 31 + static_cast<int>(t)));
            std::vector<float> ref(static_cast<size_t>(n)), fast(static_cast<size_t>(n), -1.0f);
            sdn::dequantize_row_reference(t, row.data(), ref.data(), n);
            sdn::dequantize_row(t, row.data(), fast.data(), n, v);
            float scale = 0;
            for (float r : ref) scale = std::max(scale, std::fabs(r));
            // A fused multiply-add may round q*d + m once instead of twice: allow an ulp or so.
            const float tol = scale * 1e-6f;
            for (int64_t i = 0; i < n; ++i)
                ASSERT_NEAR(fast[i], ref[i], tol)
                    << sdn::cpu_variant_name(v) << " " << sdn::dtype_traits(t).name << " n=" << n << " i=" << i;
        }
    }
}

TEST_P(RowOpsFastPerVariant, FastHalfAndBfloatConversionsAreExact) {
    std::mt19937 rng(9);
    std::vector<uint16_t> bits(1000 + 7);
    for (auto& b : bits) b = static_cast<uint16_t>(rng());
    // Every f16 bit pattern class: zeros, subnormals, max, inf.
    bits[0] = 0x0000; bits[1] = 0x8000; bits[2] = 0x0001; bits[3] = 0x03ff; bits[4] = 0x7bff; bits[5] = 0x7c00;
    std::vector<float> floats(bits.size());
    std::uniform_real_distribution<float> u(-70000.0f, 70000.0f);
    for (auto& f : floats) f = u(rng) * (rng() % 3 == 0 ? 1e-6f : 1.0f);
    floats[0] = 1e-8f; floats[1] = -0.0f; floats[2] = 65520.0f; floats[3] = 1e38f; floats[4] = 3e-41f;
    const sdn_cpu_variant v = variant();
    for (int64_t n : {int64_t(0), int64_t(5), int64_t(16), static_cast<int64_t>(bits.size())}) {
        std::vector<float> out(static_cast<size_t>(n));
        sdn::f16_to_f32_row(bits.data(), out.data(), n, v);
        for (int64_t i = 0; i < n; ++i) {
            float want = sdn::f16_to_f32(bits[i]);
            if (std::isnan(want)) EXPECT_TRUE(std::isnan(out[i]));
            else ASSERT_EQ(out[i], want) << "f16 bits " << bits[i];
        }
        sdn::bf16_to_f32_row(bits.data(), out.data(), n, v);
        for (int64_t i = 0; i < n; ++i) {
            float want = sdn::bf16_to_f32(bits[i]);
            if (std::isnan(want)) EXPECT_TRUE(std::isnan(out[i]));
            else ASSERT_EQ(out[i], want) << "bf16 bits " << bits[i];
        }
        std::vector<uint16_t> h(static_cast<size_t>(n));
        sdn::f32_to_f16_row(floats.data(), h.data(), n, v);
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(h[i], sdn::f32_to_f16(floats[i])) << floats[i];
        sdn::f32_to_bf16_row(floats.data(), h.data(), n, v);
        for (int64_t i = 0; i < n; ++i) ASSERT_EQ(h[i], sdn::f32_to_bf16(floats[i])) << floats[i];
    }
}

TEST_P(RowOpsPerVariant, VecDotMatchesDoubleReference) {
    const sdn_cpu_variant v = variant();
    for (DType t : kAllTypes) {
        const int64_t n = sdn::dtype_traits(t).block_elems == 1 ? 777 : 1024;
        auto row = make_row(t, n, 42);
        std::vector<float> x(static_cast<size_t>(n)), w(static_cast<size_t>(n));
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (auto& xi : x) xi = u(rng);
        // Independent double reference: the expanded weights times x, summed in double.
        sdn::dequantize_row_reference(t, row.data(), w.data(), n);
        double want = 0, mag = 0;
        for (int64_t i = 0; i < n; ++i) {
            want += double(w[i]) * x[i];
            mag += std::fabs(double(w[i]) * x[i]);
        }
        EXPECT_NEAR(sdn::vec_dot_row_reference(t, row.data(), x.data(), n), want, 1e-9 * mag);
        EXPECT_NEAR(sdn::vec_dot_row(t, row.data(), x.data(), n, v), want, 1e-5 * mag + 1e-30)
            << sdn::cpu_variant_name(v) << " " << sdn::dtype_traits(t).name;
    }
}

SDN_INSTANTIATE_FOR_VARIANTS(RowOpsFastPerVariant, kFastVariants);
SDN_INSTANTIATE_FOR_VARIANTS(RowOpsPerVariant, kRowVariants);

}  // namespace
