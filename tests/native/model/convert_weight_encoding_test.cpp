// Weight encoding against GGUF's documented block layouts, decoded by hand here:
// q8_0 block = f16 scale d, 32 int8 q; value = d * q.
// q4_0 block = f16 scale d, 16 bytes; value j = d * ((byte j & 15) - 8), value j+16 = d *
// ((byte j >> 4) - 8).
#include "model/convert_weight_encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "quant/row_ops.h"

namespace {

using namespace sdn;

std::vector<float> sample_row(int n) {
    std::vector<float> v(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = std::sin(0.7f * i) * (1.0f + 0.1f * (i % 5));
    return v;
}

float scale_of(const uint8_t* block) {
    uint16_t h;
    std::memcpy(&h, block, 2);
    return f16_to_f32(h);
}

TEST(ConvertWeightEncoding, Q8_0DecodesWithinHalfAStep) {
    const auto x = sample_row(64);
    const auto bytes = encode_weight(x.data(), 64, 64, DType::Q8_0);
    ASSERT_EQ(bytes.size(), 2u * 34);
    for (int b = 0; b < 2; ++b) {
        const uint8_t* blk = bytes.data() + 34 * b;
        const float d = scale_of(blk);
        float amax = 0;
        for (int i = 0; i < 32; ++i) amax = std::max(amax, std::fabs(x[static_cast<size_t>(32 * b + i)]));
        EXPECT_NEAR(d, amax / 127.0f, 1e-3f * amax);
        for (int i = 0; i < 32; ++i) {
            const float v = d * static_cast<float>(static_cast<int8_t>(blk[2 + i]));
            EXPECT_NEAR(v, x[static_cast<size_t>(32 * b + i)], 0.5f * d + 1e-3f * amax) << b << "," << i;
        }
    }
}

TEST(ConvertWeightEncoding, Q4_0DecodesWithinHalfAStepAndKeepsTheExtremeExact) {
    const auto x = sample_row(32);
    const auto bytes = encode_weight(x.data(), 32, 32, DType::Q4_0);
    ASSERT_EQ(bytes.size(), 18u);
    const float d = scale_of(bytes.data());
    size_t extreme = 0;
    for (size_t i = 0; i < 32; ++i)
        if (std::fabs(x[i]) > std::fabs(x[extreme])) extreme = i;
    for (int j = 0; j < 16; ++j) {
        const float lo = d * static_cast<float>((bytes[2 + j] & 15) - 8);
        const float hi = d * static_cast<float>((bytes[2 + j] >> 4) - 8);
        EXPECT_NEAR(lo, x[static_cast<size_t>(j)], 0.5f * std::fabs(d) + 1e-3f);
        EXPECT_NEAR(hi, x[static_cast<size_t>(j + 16)], 0.5f * std::fabs(d) + 1e-3f);
    }
    // The value of largest magnitude maps to code 0, i.e. -8 * d.
    const int code = extreme < 16 ? (bytes[2 + extreme] & 15) : (bytes[2 + extreme - 16] >> 4);
    EXPECT_EQ(code, 0);
}

TEST(ConvertWeightEncoding, PlainTypesRoundTrip) {
    const auto x = sample_row(8);
    const auto f32 = encode_weight(x.data(), 8, 8, DType::F32);
    EXPECT_EQ(std::memcmp(f32.data(), x.data(), 32), 0);
    const auto f16 = encode_weight(x.data(), 8, 8, DType::F16);
    const auto bf16 = encode_weight(x.data(), 8, 8, DType::BF16);
    for (size_t i = 0; i < 8; ++i) {
        uint16_t h, b;
        std::memcpy(&h, f16.data() + 2 * i, 2);
        std::memcpy(&b, bf16.data() + 2 * i, 2);
        EXPECT_NEAR(f16_to_f32(h), x[i], 1e-3f);
        EXPECT_NEAR(bf16_to_f32(b), x[i], 1e-2f);
    }
}

TEST(ConvertWeightEncoding, QuantizedRowsMustBeWholeBlocks) {
    const auto x = sample_row(48);
    EXPECT_THROW(encode_weight(x.data(), 48, 48, DType::Q8_0), std::exception);
    // 512 values in rows of 128: whole q8_0 blocks, but not whole 256-value q4_K super-blocks.
    const auto y = sample_row(512);
    EXPECT_NO_THROW(encode_weight(y.data(), 512, 128, DType::Q8_0));
    EXPECT_THROW(encode_weight(y.data(), 512, 128, DType::Q4_K), sdn::Error);
}

// One encoder: every listed type writes exactly the quantizer's bytes (two rows of 512).
TEST(ConvertWeightEncoding, EveryListedTypeWritesTheQuantizersBytes) {
    const char* listed[] = {"f32", "f16", "bf16", "q8_0", "q5_0", "q5_1", "q4_0",
                            "q4_1", "q6_K", "q5_K", "q4_K", "q3_K", "q2_K"};
    ASSERT_EQ(writable_weight_types().size(), std::size(listed));
    const auto x = sample_row(1024);
    for (size_t i = 0; i < std::size(listed); ++i) {
        const DType t = dtype_from_name(listed[i]);
        EXPECT_EQ(writable_weight_types()[i], t) << listed[i];
        std::vector<uint8_t> expected(static_cast<size_t>(dtype_row_bytes(t, 1024)));
        quantize_row_reference(t, x.data(), expected.data(), 1024);
        EXPECT_EQ(encode_weight(x.data(), 1024, 512, t), expected) << listed[i];
    }
}

TEST(ConvertWeightEncoding, AnUnlistedTypeIsRefusedWithTheList) {
    const auto x = sample_row(8);
    try {
        encode_weight(x.data(), 8, 8, DType::I64);
        FAIL() << "i64 weights were written";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
        const std::string m = e.what();
        EXPECT_NE(m.find("i64"), std::string::npos) << m;
        EXPECT_NE(m.find("f32, f16, bf16, q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K, q4_K, q3_K, q2_K"),
                  std::string::npos)
            << m;
    }
}

}  // namespace
