// ComfyUI-GGUF's comfy.gguf.orig_shape.* metadata: tensors get their recorded shape back,
// quantized convs keep their blocks when their rows of C*kh*kw are whole blocks, other
// quantized ones whose rows would start inside a block come back as f16, and bad records
// fail naming the tensor.
#include "io/gguf_original_shape.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>

#include "core/error.h"
#include "core/half.h"
#include "model/convert_weight_encoding.h"
#include "model/test_model_writer.h"

namespace {

struct Stored {
    std::string name;
    std::vector<int64_t> shape;  // as stored
    sdn::DType type;
    std::vector<float> values;
};

std::string write(const std::vector<Stored>& tensors, const std::vector<sdn::GgufMeta>& meta) {
    const std::string path = ::testing::TempDir() + "orig_shape_" + std::to_string(getpid()) + "_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".gguf";
    std::vector<sdn::GgufTensorPlan> plan;
    for (const Stored& t : tensors) plan.push_back({t.name, t.shape, t.type});
    sdn::write_gguf_streaming(path, plan, meta, [&](size_t i) {
        const Stored& t = tensors[i];
        return sdn::encode_weight(t.values.data(), int64_t(t.values.size()), t.shape.back(), t.type);
    });
    return path;
}

sdn::GgufMeta shape_of(const std::string& tensor, std::vector<int32_t> dims) {
    sdn::GgufMeta m;
    m.key = sdn::gguf_original_shape_key(tensor);
    m.i32s = std::move(dims);
    return m;
}

std::vector<float> ramp(size_t n) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::sin(0.37f * float(i)) * 0.8f;
    return v;
}

TEST(GgufOriginalShape, KeyIsComfyUiGgufs) {
    EXPECT_EQ(sdn::gguf_original_shape_key("input_blocks.1.0.in_layers.2.weight"),
              "comfy.gguf.orig_shape.input_blocks.1.0.in_layers.2.weight");
}

TEST(GgufOriginalShape, PlainAndWholeBlockTensorsKeepTheirBytesUnderTheRecordedShape) {
    const auto plain = ramp(1024), blocks = ramp(2048);
    const std::string path = write({{"a.weight", {4, 256}, sdn::DType::F32, plain},
                                    {"b.weight", {8, 256}, sdn::DType::Q8_0, blocks},
                                    {"c.weight", {2, 256}, sdn::DType::F32, ramp(512)}},
                                   {shape_of("a.weight", {32, 32}), shape_of("b.weight", {64, 32})});
    const auto f = sdn::ModelFile::open(path);
    const auto* a = f->find("a.weight");
    EXPECT_EQ(a->ref.shape, (std::vector<int64_t>{32, 32}));
    EXPECT_EQ(a->ref.type, sdn::DType::F32);
    EXPECT_EQ(std::memcmp(a->ref.data, plain.data(), 4096), 0);
    const auto* b = f->find("b.weight");
    EXPECT_EQ(b->ref.shape, (std::vector<int64_t>{64, 32}));
    EXPECT_EQ(b->ref.type, sdn::DType::Q8_0);
    EXPECT_EQ(f->find("c.weight")->ref.shape, (std::vector<int64_t>{2, 256}));  // no record: as stored
    std::remove(path.c_str());
}

TEST(GgufOriginalShape, QuantizedRowsThatSplitBlocksComeBackAsF16) {
    // A [16, 16, 3, 3] convolution stored as 9 rows of 256 in q8_0.
    const auto values = ramp(2304);
    const std::string path = write({{"conv.weight", {9, 256}, sdn::DType::Q8_0, values}},
                                   {shape_of("conv.weight", {16, 16, 3, 3})});
    const auto f = sdn::ModelFile::open(path);
    const auto* conv = f->find("conv.weight");
    ASSERT_EQ(conv->ref.type, sdn::DType::F16);
    EXPECT_EQ(conv->ref.shape, (std::vector<int64_t>{16, 16, 3, 3}));
    EXPECT_EQ(conv->ref.nbytes, 2304 * 2);
    // q8_0 by hand: each block of 32 is an f16 scale d = max|x| / 127 and round(x * (1 / d)).
    const auto* got = static_cast<const uint16_t*>(conv->ref.data);
    for (size_t b = 0; b < 2304 / 32; ++b) {
        float amax = 0;
        for (size_t k = 0; k < 32; ++k) amax = std::max(amax, std::fabs(values[b * 32 + k]));
        const float scale = amax / 127.0f, inverse = 1.0f / scale;
        const float d = sdn::f16_to_f32(sdn::f32_to_f16(scale));
        for (size_t k = 0; k < 32; ++k) {
            const float q = std::round(values[b * 32 + k] * inverse);
            const float want = sdn::f16_to_f32(sdn::f32_to_f16(q * d));
            ASSERT_EQ(sdn::f16_to_f32(got[b * 32 + k]), want) << "value " << b * 32 + k;
        }
    }
    std::remove(path.c_str());
}

// A conv's kernel rows (kw = 3) split blocks, but its rows of C*kh*kw (conv2d's W[O, C*k*k])
// do: the weight keeps its bytes and type under its 4-D shape, read as O rows of C*kh*kw.
void expect_kept_as_conv_rows(sdn::DType type, std::vector<int32_t> shape) {
    int64_t n = 1;
    for (int32_t d : shape) n *= d;
    const int64_t row = n / shape.front();
    const auto values = ramp(static_cast<size_t>(n));
    const std::string path = write({{"conv.weight", {n / 256, 256}, type, values}}, {shape_of("conv.weight", shape)});
    const auto f = sdn::ModelFile::open(path);
    const auto* conv = f->find("conv.weight");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(conv->ref.type, type);
    EXPECT_EQ(conv->ref.shape, std::vector<int64_t>(shape.begin(), shape.end()));
    EXPECT_EQ(conv->ref.row_elems(), row);
    EXPECT_EQ(conv->ref.rows(), shape.front());
    // The bytes are those of O rows of C*kh*kw encoded on their own.
    const auto rows = sdn::encode_weight(values.data(), n, row, type);
    ASSERT_EQ(conv->ref.nbytes, static_cast<int64_t>(rows.size()));
    EXPECT_EQ(std::memcmp(conv->ref.data, rows.data(), rows.size()), 0);
    std::remove(path.c_str());
}

TEST(GgufOriginalShape, QuantizedConvWhoseKernelRowsAreWholeBlocksStaysQuantized) {
    expect_kept_as_conv_rows(sdn::DType::Q8_0, {32, 32, 3, 3});    // rows of 288 = 9 blocks
    expect_kept_as_conv_rows(sdn::DType::Q4_0, {64, 32, 1, 1});    // a 1x1 conv: rows of 32
    expect_kept_as_conv_rows(sdn::DType::Q4_K, {2, 256, 3, 3});    // rows of 2304 = 9 super-blocks
}

TEST(GgufOriginalShape, RecordsThatDoNotFitAreFormatErrorsNamingTheTensor) {
    sdn::GgufMeta not_array = sdn::gguf_string(sdn::gguf_original_shape_key("a.weight"), "32,32");
    const std::vector<std::vector<sdn::GgufMeta>> bad = {
        {shape_of("a.weight", {32, 33})},        // 1056 values, the tensor has 1024
        {shape_of("a.weight", {32, -32})},       // negative
        {shape_of("a.weight", {2, 2, 2, 2, 64})},  // five dimensions
        {not_array},
    };
    for (const auto& meta : bad) {
        const std::string path = write({{"a.weight", {4, 256}, sdn::DType::F32, ramp(1024)}}, meta);
        try {
            sdn::ModelFile::open(path);
            ADD_FAILURE() << "expected a format error for " << meta[0].key;
        } catch (const sdn::Error& e) {
            EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
            EXPECT_NE(std::string(e.what()).find("tensor 'a.weight'"), std::string::npos) << e.what();
        }
        std::remove(path.c_str());
    }
}

}  // namespace
