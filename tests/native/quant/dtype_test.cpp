// dtype traits: names, block sizes and byte counts as GGUF defines them.
#include "quant/dtype.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace {

using sdn::DType;

TEST(DType, TraitsMatchTheGgufBlockTable) {
    struct Row {
        DType t;
        const char* name;
        int64_t elems, bytes;
        bool quantized;
    };
    // Sizes from the block structs: e.g. q4_K = 2 halves + 12 scale bytes + 128 nibble bytes.
    const Row rows[] = {
        {DType::F32, "f32", 1, 4, false},     {DType::F16, "f16", 1, 2, false},
        {DType::BF16, "bf16", 1, 2, false},   {DType::I64, "i64", 1, 8, false},
        {DType::Q4_0, "q4_0", 32, 2 + 16, true},         {DType::Q4_1, "q4_1", 32, 4 + 16, true},
        {DType::Q5_0, "q5_0", 32, 2 + 4 + 16, true},     {DType::Q5_1, "q5_1", 32, 4 + 4 + 16, true},
        {DType::Q8_0, "q8_0", 32, 2 + 32, true},         {DType::Q2_K, "q2_K", 256, 16 + 64 + 4, true},
        {DType::Q3_K, "q3_K", 256, 32 + 64 + 12 + 2, true}, {DType::Q4_K, "q4_K", 256, 4 + 12 + 128, true},
        {DType::Q5_K, "q5_K", 256, 4 + 12 + 32 + 128, true}, {DType::Q6_K, "q6_K", 256, 128 + 64 + 16 + 2, true},
    };
    for (const Row& r : rows) {
        const auto& tr = sdn::dtype_traits(r.t);
        EXPECT_STREQ(tr.name, r.name);
        EXPECT_EQ(tr.block_elems, r.elems) << r.name;
        EXPECT_EQ(tr.block_bytes, r.bytes) << r.name;
        EXPECT_EQ(tr.quantized, r.quantized) << r.name;
        EXPECT_TRUE(sdn::dtype_known(static_cast<int32_t>(r.t)));
        EXPECT_EQ(sdn::dtype_from_name(r.name), r.t);
    }
}

TEST(DType, GgufIdsAreTheFileIds) {
    EXPECT_EQ(static_cast<int>(DType::Q4_0), 2);
    EXPECT_EQ(static_cast<int>(DType::Q8_0), 8);
    EXPECT_EQ(static_cast<int>(DType::Q6_K), 14);
    EXPECT_EQ(static_cast<int>(DType::BF16), 30);
    // 4 and 5 were q4_2/q4_3 (removed from GGUF), 9 is q8_1 (never stored): all unknown here.
    for (int id : {4, 5, 9, 15, 16, 29, 31, -1, 1000}) EXPECT_FALSE(sdn::dtype_known(id)) << id;
}

TEST(DType, NamesAreCaseInsensitiveAndUnknownIsInvalid) {
    EXPECT_EQ(sdn::dtype_from_name("Q4_K"), DType::Q4_K);
    EXPECT_EQ(sdn::dtype_from_name("F16"), DType::F16);
    EXPECT_EQ(sdn::dtype_from_name("bF16"), DType::BF16);
    EXPECT_EQ(sdn::dtype_from_name("q4_2"), DType::Invalid);
    EXPECT_EQ(sdn::dtype_from_name(""), DType::Invalid);
}

TEST(DType, RowBytes) {
    EXPECT_EQ(sdn::dtype_row_bytes(DType::F32, 3), 12);
    EXPECT_EQ(sdn::dtype_row_bytes(DType::Q4_0, 64), 36);
    EXPECT_EQ(sdn::dtype_row_bytes(DType::Q4_K, 512), 288);
    EXPECT_EQ(sdn::dtype_row_bytes(DType::Q6_K, 256), 210);
    EXPECT_EQ(sdn::dtype_row_bytes(DType::Q4_K, 300), -1);  // not a whole super-block
    EXPECT_EQ(sdn::dtype_row_bytes(DType::Q8_0, 33), -1);
    EXPECT_EQ(sdn::dtype_row_bytes(DType::Invalid, 32), -1);
}

TEST(DType, UnknownTypeTraitsThrowFormatError) {
    try {
        sdn::dtype_traits(static_cast<DType>(9));
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
    }
}

}  // namespace
