// TensorView geometry: strides, byte sizes of plain and block types, slices, column views and
// reshapes, with every expected number derived by hand from the row-major layout.
#include "core/device_tensor.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace {

using sdn::DType;
using sdn::TensorView;

TEST(DeviceTensor, MakeGivesRowMajorStridesAndBytes) {
    const TensorView v = TensorView::make(nullptr, 0, DType::F32, {2, 3, 4, 5});
    EXPECT_EQ(v.n_dims, 4);
    EXPECT_EQ(v.elements(), 120);
    EXPECT_EQ(v.bytes(), 480);
    EXPECT_EQ(v.stride[0], 60);
    EXPECT_EQ(v.stride[1], 20);
    EXPECT_EQ(v.stride[2], 5);
    EXPECT_EQ(v.stride[3], 1);
    EXPECT_TRUE(v.contiguous());
    EXPECT_EQ(v.shape_string(), "[2, 3, 4, 5]");
}

TEST(DeviceTensor, BlockTypesCountBytesPerBlock) {
    // q8_0: 32 values in 34 bytes; q4_K: 256 values in 144 bytes; f16: 2 bytes a value.
    EXPECT_EQ(TensorView::make(nullptr, 0, DType::Q8_0, {3, 64}).bytes(), 3 * 2 * 34);
    EXPECT_EQ(TensorView::make(nullptr, 0, DType::Q4_K, {2, 256}).bytes(), 2 * 144);
    EXPECT_EQ(TensorView::make(nullptr, 0, DType::F16, {7}).bytes(), 14);
    try {
        (void)TensorView::make(nullptr, 0, DType::Q8_0, {3, 40}).bytes();
        FAIL() << "40 values are not whole q8_0 blocks";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("q8_0"), std::string::npos) << e.what();
    }
}

TEST(DeviceTensor, SliceMovesTheOffsetByWholeOuterEntries) {
    const TensorView v = TensorView::make(nullptr, 64, DType::F32, {4, 3, 2});
    const TensorView s = v.slice(1, 2);
    EXPECT_EQ(s.shape_string(), "[2, 3, 2]");
    EXPECT_EQ(s.offset, 64 + 1 * 6 * 4);
    EXPECT_TRUE(s.contiguous());
    EXPECT_THROW(v.slice(3, 2), sdn::Error);
}

TEST(DeviceTensor, ColumnsKeepTheTokenStrideOfTheFusedRows) {
    // [B=2, N=5, 3*D=12]: the v third of a fused q/k/v projection.
    const TensorView fused = TensorView::make(nullptr, 0, DType::F32, {2, 5, 12});
    const TensorView v = fused.columns(8, 4);
    EXPECT_EQ(v.shape_string(), "[2, 5, 4]");
    EXPECT_EQ(v.offset, 8 * 4);
    EXPECT_EQ(v.stride[1], 12);
    EXPECT_EQ(v.stride[0], 60);
    EXPECT_FALSE(v.contiguous());
    EXPECT_THROW(v.reshaped({40}), sdn::Error);  // strided views do not reshape
}

TEST(DeviceTensor, ReshapeKeepsBytesAndRefusesAnotherSize) {
    const TensorView v = TensorView::make(nullptr, 16, DType::F32, {2, 3, 4});
    const TensorView r = v.reshaped({6, 4});
    EXPECT_EQ(r.offset, 16);
    EXPECT_EQ(r.stride[0], 4);
    EXPECT_THROW(v.reshaped({5, 5}), sdn::Error);
}

}  // namespace
