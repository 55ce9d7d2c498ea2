// Weight encoding against GGUF's documented block layouts, decoded by hand here:
// q8_0 block = f16 scale d, 32 int8 q; value = d * q.
// q4_0 block = f16 scale d, 16 bytes; value j = d * ((byte j & 15) - 8), value j+16 = d *
// ((byte j >> 4) - 8).
#include "model/convert_weight_encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/half.h"

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
}

}  // namespace
