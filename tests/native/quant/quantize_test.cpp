// quantize_row_reference: exact bytes for the 32-value types on hand-derived inputs, their
// error bounds on varied data, and size errors (the K-quants' fit: kquant_fit_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "quant/row_ops.h"
#include "quant_test_data.h"

namespace {

using sdn::DType;

std::vector<uint8_t> quantize(DType t, const std::vector<float>& x) {
    std::vector<uint8_t> out(static_cast<size_t>(sdn::dtype_row_bytes(t, static_cast<int64_t>(x.size()))));
    sdn::quantize_row_reference(t, x.data(), out.data(), static_cast<int64_t>(x.size()));
    return out;
}

std::vector<float> roundtrip(DType t, const std::vector<float>& x) {
    std::vector<uint8_t> q = quantize(t, x);
    std::vector<float> y(x.size());
    sdn::dequantize_row_reference(t, q.data(), y.data(), static_cast<int64_t>(x.size()));
    return y;
}

uint16_t half_at(const std::vector<uint8_t>& b, size_t at) { return static_cast<uint16_t>(b[at] | (b[at + 1] << 8)); }

TEST(Quantize, Q8_0BytesByHand) {
    std::vector<float> x(32, 0.0f);
    x[0] = 63.5f;   // amax: d = 63.5/127 = 0.5, 1/d = 2
    x[1] = -1.25f;  // -2.5 rounds away from zero to -3
    x[2] = 0.75f;   // 1.5 -> 2
    auto b = quantize(DType::Q8_0, x);
    EXPECT_EQ(half_at(b, 0), 0x3800);
    EXPECT_EQ(static_cast<int8_t>(b[2]), 127);
    EXPECT_EQ(static_cast<int8_t>(b[3]), -3);
    EXPECT_EQ(static_cast<int8_t>(b[4]), 2);
    for (int j = 3; j < 32; ++j) EXPECT_EQ(b[2 + j], 0) << j;
}

TEST(Quantize, Q4_0BytesByHand) {
    std::vector<float> x(32, 0.0f);
    x[5] = -8.0f;   // largest magnitude, negative: d = -8 / -8 = 1, maps to q 0
    x[7] = 7.6f;    // 7.6 + 8.5 = 16.1 -> clamped to 15
    x[20] = 3.4f;   // 11.9 -> 11 (truncation after +8.5)
    auto b = quantize(DType::Q4_0, x);
    EXPECT_EQ(half_at(b, 0), 0x3C00);
    EXPECT_EQ(b[2 + 5], 0x80);  // value 5 -> 0, value 21 -> 8
    EXPECT_EQ(b[2 + 7], 0x8F);  // value 7 -> 15
    EXPECT_EQ(b[2 + 4], 0xB8);  // value 4 -> 8, value 20 -> 11
    EXPECT_EQ(b[2 + 0], 0x88);
}

TEST(Quantize, Q5_1BytesByHand) {
    std::vector<float> x(32);
    for (int j = 0; j < 32; ++j) x[j] = 1.0f + 0.5f * static_cast<float>(j);  // d = 15.5/31 = 0.5, m = 1
    auto b = quantize(DType::Q5_1, x);
    EXPECT_EQ(half_at(b, 0), 0x3800);
    EXPECT_EQ(half_at(b, 2), 0x3C00);
    uint32_t qh;
    std::memcpy(&qh, b.data() + 4, 4);
    EXPECT_EQ(qh, 0xFFFF0000u);  // values 16..31 have q >= 16
    for (int j = 0; j < 16; ++j) EXPECT_EQ(b[8 + j], static_cast<uint8_t>(j | (j << 4))) << j;
}

TEST(Quantize, Q4_1BytesByHand) {
    std::vector<float> x(32, 0.0f);
    x[0] = -1.0f;  // min m = -1
    x[1] = 6.5f;   // max: d = 7.5/15 = 0.5, 1/d = 2
    x[2] = 0.3f;   // (0.3 + 1) * 2 = 2.6 (+0.5, truncated) -> 3
    x[18] = 2.0f;  // (2 + 1) * 2 = 6 -> 6, high nibble of byte 2
    auto b = quantize(DType::Q4_1, x);
    EXPECT_EQ(half_at(b, 0), 0x3800);  // 0.5
    EXPECT_EQ(half_at(b, 2), 0xBC00);  // -1
    EXPECT_EQ(b[4 + 0], 0x20);         // value 0 -> 0, value 16 (0) -> 2
    EXPECT_EQ(b[4 + 1], 0x2F);         // value 1 -> 15
    EXPECT_EQ(b[4 + 2], 0x63);         // value 2 -> 3, value 18 -> 6
}

TEST(Quantize, Q5_0BytesByHand) {
    std::vector<float> x(32, 0.0f);
    x[3] = 8.0f;     // largest magnitude, positive: d = 8 / -16 = -0.5, maps to q 0
    x[4] = -7.9f;    // -7.9 / -0.5 + 16.5 = 32.3 -> clamped to 31
    x[20] = -1.0f;   // 2 + 16.5 = 18.5 -> 18 (truncation)
    auto b = quantize(DType::Q5_0, x);
    EXPECT_EQ(half_at(b, 0), 0xB800);  // -0.5
    uint32_t qh;
    std::memcpy(&qh, b.data() + 2, 4);
    // q >= 16 sets bit j of qh: zeros are 16, value 3 is 0, value 4 is 31, value 20 is 18.
    EXPECT_EQ(qh, 0xFFFFFFF7u);
    EXPECT_EQ(b[6 + 3], 0x00);  // value 3 -> 0, value 19 -> 16 (low nibble 0)
    EXPECT_EQ(b[6 + 4], 0x2F);  // value 4 -> 31 (low 15), value 20 -> 18 (low 2)
    EXPECT_EQ(b[6 + 0], 0x00);
}

// Per-type error bound for one 32-value block (simple types) in terms of its data.
double simple_bound(DType t, const float* x) {
    float mn = x[0], mx = x[0], amax = 0;
    for (int j = 0; j < 32; ++j) {
        mn = std::min(mn, x[j]);
        mx = std::max(mx, x[j]);
        amax = std::max(amax, std::fabs(x[j]));
    }
    const double f16_rel = 1.0 / 2048;  // f16 scale rounding, relative
    switch (t) {
        case DType::Q8_0: return amax / 254.0 + amax * f16_rel * 1.01;
        // Symmetric 4/5-bit: the far side of the largest value can be clamped by one full step.
        case DType::Q4_0: return amax / 8.0 * (1 + 2 * f16_rel) + 1e-7;
        case DType::Q5_0: return amax / 16.0 * (1 + 2 * f16_rel) + 1e-7;
        case DType::Q4_1: return (mx - mn) / 30.0 + (std::fabs(mn) + (mx - mn)) * f16_rel * 1.01 + 1e-7;
        case DType::Q5_1: return (mx - mn) / 62.0 + (std::fabs(mn) + (mx - mn)) * f16_rel * 1.01 + 1e-7;
        default: return 0;
    }
}

TEST(Quantize, EverySimpleTypeStaysWithinItsErrorBound) {
    const DType types[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1};
    for (DType t : types) {
        const auto& tr = sdn::dtype_traits(t);
        for (const auto& ds : quant_test::datasets(256 * 6, 1234)) {
            const auto y = roundtrip(t, ds.values);
            const float* x = ds.values.data();
            double worst_ratio = 0;
            for (size_t i = 0; i < ds.values.size(); ++i) {
                const int64_t block = static_cast<int64_t>(i) / tr.block_elems;
                const float* bx = x + block * tr.block_elems;
                double bound = simple_bound(t, bx);
                double err = std::fabs(double(y[i]) - double(x[i]));
                ASSERT_LE(err, bound) << tr.name << " " << ds.name << " value " << i << ": " << x[i] << " -> "
                                      << y[i];
                if (bound > 0) worst_ratio = std::max(worst_ratio, err / bound);
            }
            if (ds.name == "zeros" || ds.name == "constant") {
                // Zeros and a constant (one grid point) come back unchanged up to the f16 scale.
                for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], x[i], 1e-3) << tr.name << " " << ds.name;
            }
        }
    }
}

TEST(Quantize, KQuantsAreUsefullyAccurateOnNormalData) {
    // RMS error relative to RMS value: loose ceilings that a broken packing would blow through.
    struct Row {
        DType t;
        double max_rel_rms;
    };
    for (Row r : {Row{DType::Q2_K, 0.45}, Row{DType::Q3_K, 0.25}, Row{DType::Q4_K, 0.12}, Row{DType::Q5_K, 0.06},
                  Row{DType::Q6_K, 0.03}, Row{DType::Q8_0, 0.01}, Row{DType::Q4_0, 0.15}}) {
        auto ds = quant_test::datasets(256 * 8, 77)[0];
        auto y = roundtrip(r.t, ds.values);
        double se = 0, sv = 0;
        for (size_t i = 0; i < y.size(); ++i) {
            se += (y[i] - ds.values[i]) * double(y[i] - ds.values[i]);
            sv += ds.values[i] * double(ds.values[i]);
        }
        EXPECT_LT(std::sqrt(se / sv), r.max_rel_rms) << sdn::dtype_traits(r.t).name;
    }
}

TEST(Quantize, PlainTypesRoundTrip) {
    std::vector<float> x = {1.0f, -2.5f, 65504.0f, 1e-3f, 3.14159f, -0.0f, 7.0f, 1e20f};
    auto f16 = roundtrip(DType::F16, x);
    for (size_t i = 0; i < x.size(); ++i) EXPECT_EQ(f16[i], sdn::f16_to_f32(sdn::f32_to_f16(x[i])));
    EXPECT_TRUE(std::isinf(f16[7]));
    auto bf16 = roundtrip(DType::BF16, x);
    EXPECT_EQ(bf16[0], 1.0f);
    EXPECT_EQ(bf16[1], -2.5f);
    EXPECT_NEAR(bf16[4], 3.14159f, 0.01f);
    auto f32 = roundtrip(DType::F32, x);
    EXPECT_EQ(f32, x);
}

TEST(Quantize, SizesThatAreNotWholeBlocksAreRejected) {
    std::vector<float> x(300, 1.0f);
    std::vector<uint8_t> out(4096);
    for (DType t : {DType::Q4_K, DType::Q2_K, DType::Q6_K, DType::Q8_0}) {
        try {
            sdn::quantize_row_reference(t, x.data(), out.data(), 300);
            FAIL() << "expected an error for " << sdn::dtype_traits(t).name;
        } catch (const sdn::Error& e) {
            EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
            EXPECT_NE(std::string(e.what()).find("block size"), std::string::npos) << e.what();
        }
        std::vector<float> y(300);
        EXPECT_THROW(sdn::dequantize_row_reference(t, out.data(), y.data(), 300), sdn::Error);
        EXPECT_THROW(sdn::dequantize_row(t, out.data(), y.data(), 300, SDN_CPU_VARIANT_SCALAR), sdn::Error);
        EXPECT_THROW(sdn::vec_dot_row_reference(t, out.data(), y.data(), 300), sdn::Error);
    }
    // 288 = 9 blocks of 32 is fine for q8_0 but not a whole q4_K super-block.
    EXPECT_NO_THROW(sdn::quantize_row_reference(DType::Q8_0, x.data(), out.data(), 288));
    EXPECT_THROW(sdn::quantize_row_reference(DType::Q4_K, x.data(), out.data(), 288), sdn::Error);
}

TEST(Quantize, FastEntryGivesTheReferenceBytes) {
    for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q6_K}) {
        auto ds = quant_test::datasets(512, 5)[1];
        std::vector<uint8_t> a(static_cast<size_t>(sdn::dtype_row_bytes(t, 512))), b(a.size());
        sdn::quantize_row_reference(t, ds.values.data(), a.data(), 512);
        sdn::quantize_row(t, ds.values.data(), b.data(), 512);
        EXPECT_EQ(a, b) << sdn::dtype_traits(t).name;
    }
}

}  // namespace
