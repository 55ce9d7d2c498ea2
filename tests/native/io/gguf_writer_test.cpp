// GgufWriter: exact bytes of a tiny file derived by hand, and write -> read round trips of
// every metadata type (arrays of strings, nested arrays), every tensor type and several
// alignments; argument errors.
#include "io/gguf_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <filesystem>
#include <fstream>
#include <random>
#include <unistd.h>

#include "core/error.h"
#include "quant/row_ops.h"

namespace {

namespace fs = std::filesystem;
using sdn::DType;
using sdn::MetaValue;

std::string temp_path(const std::string& tag) {
    static int counter = 0;
    return (fs::temp_directory_path() /
            ("sdn_gguf_writer_test_" + std::to_string(::getpid()) + "_" + tag + std::to_string(counter++)))
        .string();
}

std::vector<uint8_t> read_all(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

TEST(GgufWriter, TinyFileBytesByHand) {
    sdn::GgufWriter w;
    w.add_u32("a", 7);
    const std::string path = temp_path("tiny");
    w.write(path);
    std::vector<uint8_t> got = read_all(path);
    std::remove(path.c_str());
    // magic, version 3, 0 tensors, 1 KV; key "a" (u64 length 1), type 4 (u32), value 7;
    // 41 bytes, padded with zeros to the 32-byte alignment (64) where the (empty) data starts.
    std::vector<uint8_t> want = {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                                 1,   0,   0,   0,   0, 0, 0, 0, 'a', 4, 0, 0, 0, 7, 0, 0, 0};
    want.resize(64, 0);
    EXPECT_EQ(got, want);
}

MetaValue scalar_u32(uint32_t v) {
    MetaValue m;
    m.kind = MetaValue::Kind::U32;
    m.u = v;
    return m;
}

struct WrittenTensor {
    std::string name;
    DType type;
    std::vector<int64_t> shape;
    std::vector<uint8_t> bytes;
};

std::vector<WrittenTensor> every_type_tensors() {
    std::vector<WrittenTensor> out;
    std::mt19937 rng(17);
    std::normal_distribution<float> nd(0.0f, 1.0f);
    const DType types[] = {DType::F32,  DType::F16,  DType::BF16, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                           DType::Q8_0, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};
    for (DType t : types) {
        const auto& tr = sdn::dtype_traits(t);
        std::vector<int64_t> shape = {3, tr.block_elems == 1 ? 5 : tr.block_elems * 2};
        const int64_t n = shape[0] * shape[1];
        std::vector<float> x(static_cast<size_t>(n));
        for (auto& v : x) v = nd(rng);
        WrittenTensor wt{std::string("t.") + tr.name, t, shape, std::vector<uint8_t>(sdn::dtype_row_bytes(t, n))};
        sdn::quantize_row_reference(t, x.data(), wt.bytes.data(), n);
        out.push_back(std::move(wt));
    }
    WrittenTensor conv{"conv.weight", DType::F16, {4, 2, 3, 3}, std::vector<uint8_t>(4 * 2 * 3 * 3 * 2)};
    for (size_t i = 0; i < conv.bytes.size(); ++i) conv.bytes[i] = static_cast<uint8_t>(i * 7);
    out.push_back(std::move(conv));
    WrittenTensor ids{"position_ids", DType::I64, {1, 3}, std::vector<uint8_t>(24)};
    for (int i = 0; i < 3; ++i) std::memcpy(ids.bytes.data() + 8 * i, &i, 4);
    out.push_back(std::move(ids));
    return out;
}

TEST(GgufWriter, RoundTripsEveryValueTypeTensorTypeAndAlignment) {
    for (uint32_t alignment : {32u, 1u, 64u, 4096u}) {
        sdn::GgufWriter w(alignment);
        w.add_u8("k.u8", 200);
        w.add_i8("k.i8", -100);
        w.add_u16("k.u16", 60000);
        w.add_i16("k.i16", -30000);
        w.add_u32("k.u32", 4000000000u);
        w.add_i32("k.i32", -2000000000);
        w.add_u64("k.u64", uint64_t(1) << 60);
        w.add_i64("k.i64", -(int64_t(1) << 60));
        w.add_f32("k.f32", 1.5f);
        w.add_f64("k.f64", -2.25e100);
        w.add_bool("k.bool", true);
        w.add_string("k.string", "h\xc3\xa9llo");
        w.add_string_array("tokenizer.merges", {"a b", "", "</w>"});
        MetaValue nested;  // [[1, 2], []] of u32
        nested.kind = MetaValue::Kind::Array;
        nested.array_kind = MetaValue::Kind::Array;
        MetaValue inner1, inner2;
        inner1.kind = inner2.kind = MetaValue::Kind::Array;
        inner1.array_kind = inner2.array_kind = MetaValue::Kind::U32;
        inner1.array = {scalar_u32(1), scalar_u32(2)};
        nested.array = {inner1, inner2};
        w.add_value("k.nested", nested);
        MetaValue i8s;
        i8s.kind = MetaValue::Kind::Array;
        i8s.array_kind = MetaValue::Kind::I8;
        for (int v : {-1, 5}) {
            MetaValue e;
            e.kind = MetaValue::Kind::I8;
            e.i = v;
            i8s.array.push_back(e);
        }
        w.add_value("k.i8s", i8s);

        auto tensors = every_type_tensors();
        for (size_t i = 0; i < tensors.size(); ++i) {
            const auto& t = tensors[i];
            if (i % 2)  // half copied in, half produced by a callback
                w.add_tensor(t.name, t.type, t.shape, t.bytes.data(), t.bytes.size());
            else
                w.add_tensor(t.name, t.type, t.shape, [&t](uint8_t* dst, size_t n) {
                    ASSERT_EQ(n, t.bytes.size());
                    std::memcpy(dst, t.bytes.data(), n);
                });
        }
        const std::string path = temp_path("rt");
        w.write(path);
        auto file = sdn::ModelFile::open(path);
        std::remove(path.c_str());  // the mapping stays valid
        EXPECT_STREQ(file->format_name(), "gguf");
        const auto& m = file->metadata();
        auto get = [&](const std::string& k) -> const MetaValue& {
            auto it = m.find(k);
            EXPECT_NE(it, m.end()) << k;
            static MetaValue none;
            return it == m.end() ? none : it->second;
        };
        EXPECT_EQ(get("k.u8").kind, MetaValue::Kind::U8);
        EXPECT_EQ(get("k.u8").u, 200u);
        EXPECT_EQ(get("k.i8").i, -100);
        EXPECT_EQ(get("k.u16").u, 60000u);
        EXPECT_EQ(get("k.i16").i, -30000);
        EXPECT_EQ(get("k.u32").u, 4000000000u);
        EXPECT_EQ(get("k.i32").i, -2000000000);
        EXPECT_EQ(get("k.u64").u, uint64_t(1) << 60);
        EXPECT_EQ(get("k.i64").i, -(int64_t(1) << 60));
        EXPECT_EQ(get("k.f32").kind, MetaValue::Kind::F32);
        EXPECT_EQ(get("k.f32").f, 1.5);
        EXPECT_EQ(get("k.f64").f, -2.25e100);
        EXPECT_EQ(get("k.bool").kind, MetaValue::Kind::Bool);
        EXPECT_EQ(get("k.bool").u, 1u);
        EXPECT_EQ(get("k.string").s, "h\xc3\xa9llo");
        const MetaValue& merges = get("tokenizer.merges");
        ASSERT_EQ(merges.kind, MetaValue::Kind::Array);
        EXPECT_EQ(merges.array_kind, MetaValue::Kind::String);
        ASSERT_EQ(merges.array.size(), 3u);
        EXPECT_EQ(merges.array[0].s, "a b");
        EXPECT_EQ(merges.array[1].s, "");
        EXPECT_EQ(merges.array[2].s, "</w>");
        const MetaValue& n = get("k.nested");
        ASSERT_EQ(n.array.size(), 2u);
        EXPECT_EQ(n.array_kind, MetaValue::Kind::Array);
        ASSERT_EQ(n.array[0].array.size(), 2u);
        EXPECT_EQ(n.array[0].array_kind, MetaValue::Kind::U32);
        EXPECT_EQ(n.array[0].array[1].u, 2u);
        EXPECT_TRUE(n.array[1].array.empty());
        ASSERT_EQ(get("k.i8s").array.size(), 2u);
        EXPECT_EQ(get("k.i8s").array[0].i, -1);
        if (alignment != 32) {
            EXPECT_EQ(get("general.alignment").u, alignment);
        } else {
            EXPECT_EQ(m.count("general.alignment"), 0u);
        }

        ASSERT_EQ(file->tensors().size(), tensors.size());
        for (const auto& t : tensors) {
            const sdn::TensorEntry* e = file->find(t.name);
            ASSERT_NE(e, nullptr) << t.name;
            EXPECT_EQ(e->ref.type, t.type) << t.name;
            EXPECT_EQ(e->ref.shape, t.shape) << t.name;
            ASSERT_EQ(e->ref.nbytes, static_cast<int64_t>(t.bytes.size())) << t.name;
            EXPECT_EQ(std::memcmp(e->ref.data, t.bytes.data(), t.bytes.size()), 0) << t.name;
            // The mapping starts on a page, so the data's address shows its file offset's alignment.
            EXPECT_EQ(reinterpret_cast<uintptr_t>(e->ref.data) % alignment, 0u) << t.name << " align " << alignment;
        }
    }
}

sdn_status status_of(const std::function<void()>& f) {
    try {
        f();
        return SDN_OK;
    } catch (const sdn::Error& e) {
        return e.status();
    }
}

TEST(GgufWriter, RejectsBadArguments) {
    sdn::GgufWriter w;
    w.add_u32("k", 1);
    EXPECT_EQ(status_of([&] { w.add_string("k", "again"); }), SDN_ERR_INVALID_ARGUMENT);
    std::vector<uint8_t> q(18 * 2);
    w.add_tensor("t", DType::Q4_0, {2, 32}, q.data(), q.size());
    EXPECT_EQ(status_of([&] { w.add_tensor("t", DType::Q4_0, {2, 32}, q.data(), q.size()); }),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of([&] { w.add_tensor("short", DType::Q4_0, {2, 32}, q.data(), q.size() - 1); }),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of([&] { w.add_tensor("rows", DType::Q4_0, {32, 2}, q.data(), q.size()); }),
              SDN_ERR_INVALID_ARGUMENT);  // rows of 2 values are not whole q4_0 blocks
    EXPECT_EQ(status_of([&] { w.add_tensor("dims", DType::F32, {1, 1, 1, 1, 1}, q.data(), 4); }),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of([&] { w.add_tensor("zero", DType::F32, {0}, q.data(), 0); }), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of([] { sdn::GgufWriter bad(48); }), SDN_ERR_INVALID_ARGUMENT);
    MetaValue mixed;
    mixed.kind = MetaValue::Kind::Array;
    mixed.array_kind = MetaValue::Kind::U32;
    mixed.array = {scalar_u32(1), MetaValue{}};
    mixed.array[1].kind = MetaValue::Kind::String;
    EXPECT_EQ(status_of([&] { w.add_value("mixed", mixed); }), SDN_ERR_INVALID_ARGUMENT);
    // The rejected additions left the writer usable.
    const std::string path = temp_path("ok");
    w.write(path);
    auto file = sdn::ModelFile::open(path);
    std::remove(path.c_str());
    EXPECT_EQ(file->tensors().size(), 1u);
}

TEST(GgufWriter, UnwritablePathIsAnIoErrorNamingIt) {
    sdn::GgufWriter w;
    const std::string path = "/nonexistent-dir-for-sure/x.gguf";
    try {
        w.write(path);
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_IO);
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

}  // namespace
