// Hand-built blocks with bytes written from the GGUF layouts decode to values derived by hand.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "core/cpu_features.h"
#include "quant/row_ops.h"
#include "support/every_variant.h"

namespace {

using sdn::DType;

void put16(std::vector<uint8_t>& b, size_t at, uint16_t v) {
    b[at] = static_cast<uint8_t>(v & 0xff);
    b[at + 1] = static_cast<uint8_t>(v >> 8);
}

// f16 bit patterns: 1.0 = 0x3C00, 0.5 = 0x3800, 2.0 = 0x4000, -1.0 = 0xBC00, 0.25 = 0x3400,
// 0.125 = 0x3000.

// Decodes with the reference and with the test's cpu variant; both must agree exactly with the
// hand-derived values (they are small integers and halves, exact in every path).
void expect_decodes_to(sdn_cpu_variant v, DType t, const std::vector<uint8_t>& block, const std::vector<float>& expected) {
    const int64_t n = static_cast<int64_t>(expected.size());
    std::vector<float> out(n, -999.0f);
    sdn::dequantize_row_reference(t, block.data(), out.data(), n);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[i], expected[i]) << "reference, value " << i;
    std::fill(out.begin(), out.end(), -999.0f);
    sdn::dequantize_row(t, block.data(), out.data(), n, v);
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(out[i], expected[i]) << sdn::cpu_variant_name(v) << ", value " << i;
}

constexpr sdn_cpu_variant kRowVariants[] = {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512};

class DequantizeKnownBlocks : public sdn_test::EveryVariant {};

TEST_P(DequantizeKnownBlocks, Q4_0) {
    std::vector<uint8_t> b(18, 0x88);  // every nibble 8 -> 0
    put16(b, 0, 0x3800);               // d = 0.5
    b[2 + 0] = 0x1F;                   // value 0: (15-8)*0.5, value 16: (1-8)*0.5
    std::vector<float> e(32, 0.0f);
    e[0] = 3.5f;
    e[16] = -3.5f;
    expect_decodes_to(variant(), DType::Q4_0, b, e);
}

TEST_P(DequantizeKnownBlocks, Q4_1) {
    std::vector<uint8_t> b(20, 0);
    put16(b, 0, 0x4000);  // d = 2
    put16(b, 2, 0xBC00);  // m = -1
    b[4 + 3] = 0x52;      // value 3: 2*2-1 = 3, value 19: 5*2-1 = 9
    std::vector<float> e(32, -1.0f);
    e[3] = 3;
    e[19] = 9;
    expect_decodes_to(variant(), DType::Q4_1, b, e);
}

TEST_P(DequantizeKnownBlocks, Q5_0HighBitsComeFromQh) {
    std::vector<uint8_t> b(22, 0);
    put16(b, 0, 0x3C00);                   // d = 1
    uint32_t qh = (1u << 0) | (1u << 17);  // 5th bit of value 0 and value 17
    std::memcpy(b.data() + 2, &qh, 4);
    b[6 + 1] = 0xF0;  // value 1 low nibble 0, value 17 nibble 15
    std::vector<float> e(32, -16.0f);
    e[0] = 0;        // (0|16) - 16
    e[17] = 15;      // (15|16) - 16
    expect_decodes_to(variant(), DType::Q5_0, b, e);
}

TEST_P(DequantizeKnownBlocks, Q5_1) {
    std::vector<uint8_t> b(24, 0xFF);
    put16(b, 0, 0x3400);  // d = 0.25
    put16(b, 2, 0x3C00);  // m = 1
    b[8 + 2] = 0x0F;      // value 18: nibble 0 but 5th bit set -> 16*0.25+1 = 5
    std::vector<float> e(32, 31 * 0.25f + 1);
    e[18] = 5;
    expect_decodes_to(variant(), DType::Q5_1, b, e);
}

TEST_P(DequantizeKnownBlocks, Q8_0) {
    std::vector<uint8_t> b(34, 0);
    put16(b, 0, 0x3000);  // d = 0.125
    std::vector<float> e(32);
    for (int j = 0; j < 32; ++j) {
        b[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(j - 16));
        e[j] = static_cast<float>(j - 16) * 0.125f;
    }
    expect_decodes_to(variant(), DType::Q8_0, b, e);
}

TEST_P(DequantizeKnownBlocks, Q2_K) {
    std::vector<uint8_t> b(84, 0);
    b[0] = 0x12;  // sub-block 0: scale 2, min 1
    b[1] = 0x03;  // sub-block 1: scale 3, min 0
    b[16 + 0] = 0x0B;   // value 0 = bits 0-1 = 3; value 32 = bits 2-3 = 2 (sub-block 2: scale 0)
    b[16 + 16] = 0x02;  // value 16 (sub-block 1) = 2
    put16(b, 80, 0x3C00);  // d = 1
    put16(b, 82, 0x3C00);  // dmin = 1
    std::vector<float> e(256, 0.0f);
    for (int i = 0; i < 16; ++i) e[i] = -1;  // 2*0 - 1
    e[0] = 5;   // 2*3 - 1
    e[16] = 6;  // 3*2 - 0
    expect_decodes_to(variant(), DType::Q2_K, b, e);
}

TEST_P(DequantizeKnownBlocks, Q3_K) {
    std::vector<uint8_t> b(110, 0);
    // Scales stored +32: every scale 0 -> 32 = 0b10'0000: low nibbles 0, top bits 2 in bytes 8..11.
    uint8_t* sc = b.data() + 96;
    for (int i = 8; i < 12; ++i) sc[i] = 0xAA;
    sc[0] = 0x02;        // scale 0 = 34 - 32 = 2
    sc[1] |= 0xD0;       // scale 9 low nibble 0xD (high nibble of byte 1)
    sc[9] = 0x9A;        // scale 9 top bits (bits 4-5 of byte 9) = 1: 0b01'1101 = 29 -> -3
    b[32 + 0] = 0x01;    // value 0 low bits 1
    b[0] = 0x01;         // hmask bit 0 of byte 0 set: no -4 -> value 0 = 1
    b[32 + 48] = 0x03;   // value 144 (second half, sub-block 9) low bits 3
    b[16] = 0x10;        // its hmask bit (bit 4 of byte 16) set -> 3
    put16(b, 108, 0x3C00);  // d = 1
    std::vector<float> e(256, 0.0f);
    for (int i = 0; i < 16; ++i) e[i] = -8;          // 2 * (0 - 4)
    e[0] = 2;                                        // 2 * 1
    for (int i = 144; i < 160; ++i) e[i] = 12;       // -3 * (0 - 4)
    e[144] = -9;                                     // -3 * 3
    expect_decodes_to(variant(), DType::Q3_K, b, e);
}

TEST_P(DequantizeKnownBlocks, Q4_KScalesAndMinsUseTheSixBitPacking) {
    std::vector<uint8_t> b(144, 0);
    put16(b, 0, 0x3C00);  // d = 1
    put16(b, 2, 0x3800);  // dmin = 0.5
    uint8_t* sc = b.data() + 4;
    sc[0] = 0x02;  // sub-block 0: scale 2
    sc[4] = 0x04;  // sub-block 0: min 4
    // sub-block 5: scale 42 = 0b10'1010, min 21 = 0b01'0101: low nibbles in byte 9, top bits
    // in bits 6-7 of bytes 1 (scale) and 5 (min).
    sc[9] = 0x5A;
    sc[1] = 0x80;
    sc[5] = 0x40;
    uint8_t* qs = b.data() + 16;
    qs[0] = 0x37;   // value 0 (sub-block 0) = 7; value 32 (sub-block 1, scale 0) = 3
    qs[64] = 0x90;  // value 160 (group 2 high nibbles = sub-block 5) = 9
    std::vector<float> e(256, 0.0f);
    for (int i = 0; i < 32; ++i) e[i] = -2;       // 2*0 - 0.5*4
    e[0] = 12;                                    // 2*7 - 2
    for (int i = 160; i < 192; ++i) e[i] = -10.5f;  // 42*0 - 0.5*21
    e[160] = 367.5f;                              // 42*9 - 10.5
    expect_decodes_to(variant(), DType::Q4_K, b, e);
}

TEST_P(DequantizeKnownBlocks, Q5_K) {
    std::vector<uint8_t> b(176, 0);
    put16(b, 0, 0x3C00);  // d = 1, dmin = 0
    b[4 + 3] = 1;         // sub-block 3 (group 1 high nibbles, values 96..127): scale 1
    b[48 + 32] = 0x70;    // value 96: high nibble 7
    b[16 + 0] = 0x08;     // qh bit 3 (group 1 high half) of byte 0 -> +16
    std::vector<float> e(256, 0.0f);
    e[96] = 23;
    expect_decodes_to(variant(), DType::Q5_K, b, e);
}

TEST_P(DequantizeKnownBlocks, Q6_K) {
    std::vector<uint8_t> b(210, 0);
    auto* sc = reinterpret_cast<int8_t*>(b.data() + 192);
    sc[0] = 2;
    sc[7] = -3;
    put16(b, 208, 0x3800);  // d = 0.5
    b[0] = 0x05;            // value 0: low nibble 5
    b[128 + 0] = 0x03;      //          top bits 3 -> 53 - 32 = 21
    b[48] = 0xA0;           // value 112 (l = 16, fourth quarter): ql[48] >> 4 = 10
    b[128 + 16] = 0x80;     //          qh[16] bits 6-7 = 2 -> 42 - 32 = 10
    std::vector<float> e(256, 0.0f);
    for (int i = 0; i < 16; ++i) e[i] = 0.5f * 2 * -32;
    e[0] = 0.5f * 2 * 21;
    for (int i = 112; i < 128; ++i) e[i] = 0.5f * -3 * -32;
    e[112] = 0.5f * -3 * 10;
    expect_decodes_to(variant(), DType::Q6_K, b, e);
}

TEST_P(DequantizeKnownBlocks, HalfBfloatAndI64) {
    std::vector<uint8_t> h(8);
    put16(h, 0, 0x3C00);
    put16(h, 2, 0xC000);
    put16(h, 4, 0x7BFF);
    put16(h, 6, 0x0001);
    expect_decodes_to(variant(), DType::F16, h, {1.0f, -2.0f, 65504.0f, 5.9604644775390625e-8f});
    std::vector<uint8_t> bf(4);
    put16(bf, 0, 0x3F80);
    put16(bf, 2, 0xC040);
    expect_decodes_to(variant(), DType::BF16, bf, {1.0f, -3.0f});
    std::vector<uint8_t> i64(16);
    int64_t v[2] = {-5, 1 << 20};
    std::memcpy(i64.data(), v, 16);
    std::vector<float> out(2);
    sdn::dequantize_row_reference(DType::I64, i64.data(), out.data(), 2);
    EXPECT_EQ(out[0], -5.0f);
    EXPECT_EQ(out[1], 1048576.0f);
}

SDN_INSTANTIATE_FOR_VARIANTS(DequantizeKnownBlocks, kRowVariants);

}  // namespace
