// ModelFile: safetensors and GGUF files built byte by byte in the test, hostile variants of
// them, and the full-size oracle checkpoint when it is available.
#include "io/model_file.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/half.h"

namespace {

namespace fs = std::filesystem;

class TempFile {
public:
    explicit TempFile(const std::vector<uint8_t>& bytes) {
        static int counter = 0;
        path_ = (fs::temp_directory_path() /
                 ("sdn_model_file_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++)))
                    .string();
        std::ofstream(path_, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    ~TempFile() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

std::vector<uint8_t> safetensors_bytes(const std::string& header, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> out(8);
    uint64_t n = header.size();
    std::memcpy(out.data(), &n, 8);
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

std::vector<uint8_t> f16_bytes(std::initializer_list<float> values) {
    std::vector<uint8_t> out;
    for (float v : values) {
        uint16_t h = sdn::f32_to_f16(v);
        out.push_back(static_cast<uint8_t>(h & 0xff));
        out.push_back(static_cast<uint8_t>(h >> 8));
    }
    return out;
}

sdn_status status_of(const std::string& path) {
    try {
        sdn::ModelFile::open(path);
        return SDN_OK;
    } catch (const sdn::Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << "message names the file: " << e.what();
        return e.status();
    }
}

TEST(ModelFile, ReadsSafetensorsTensorsAndMetadata) {
    std::string header =
        R"({"__metadata__":{"format":"pt"},"a.weight":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},)"
        R"("b":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}})";
    auto data = f16_bytes({1, 2, 3, -4, 0.5f, 65504});
    float b = 7.25f;
    data.resize(16);
    std::memcpy(data.data() + 12, &b, 4);
    TempFile f(safetensors_bytes(header, data));
    auto file = sdn::ModelFile::open(f.path());
    EXPECT_STREQ(file->format_name(), "safetensors");
    ASSERT_EQ(file->tensors().size(), 2u);
    const auto* a = file->find("a.weight");
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->ref.type, sdn::DType::F16);
    EXPECT_EQ(a->ref.shape, (std::vector<int64_t>{2, 3}));
    const uint16_t* h = static_cast<const uint16_t*>(a->ref.data);
    EXPECT_EQ(sdn::f16_to_f32(h[3]), -4.0f);
    EXPECT_EQ(sdn::f16_to_f32(h[5]), 65504.0f);
    const auto* bt = file->find("b");
    ASSERT_NE(bt, nullptr);
    EXPECT_EQ(*static_cast<const float*>(bt->ref.data), 7.25f);
    EXPECT_EQ(file->metadata().at("format").s, "pt");
    EXPECT_EQ(file->find("missing"), nullptr);
}

TEST(ModelFile, RejectsHostileSafetensorsHeaders) {
    struct Case {
        const char* header;
        size_t data;
    } cases[] = {
        {R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,8]}})", 4},      // runs past end
        {R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,2]}})", 4},      // size mismatch
        {R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[4,0]}})", 4},      // begin > end
        {R"({"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}})", 4},  // unsupported dtype
        {R"({"a":{"dtype":"F16","shape":[-2],"data_offsets":[0,4]}})", 4},     // negative dim
        {R"({"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})", 4},
        {R"({"a":{"dtype":"F16","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", 4},
        {R"({"a":)", 4},                                                        // truncated JSON
        {R"({"a":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})", 4},
    };
    for (const auto& c : cases) {
        TempFile f(safetensors_bytes(c.header, std::vector<uint8_t>(c.data, 0)));
        EXPECT_EQ(status_of(f.path()), SDN_ERR_FORMAT) << c.header;
    }
    // A header length larger than the file.
    std::vector<uint8_t> bytes = safetensors_bytes("{}", {});
    uint64_t huge = 1ull << 62;
    std::memcpy(bytes.data(), &huge, 8);
    TempFile f(bytes);
    EXPECT_EQ(status_of(f.path()), SDN_ERR_FORMAT);
}

// A GGUF v3 file with one metadata array, one string and an f32 [2,3] tensor.
std::vector<uint8_t> small_gguf() {
    std::vector<uint8_t> out;
    auto u32 = [&](uint32_t v) { out.insert(out.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 4); };
    auto u64 = [&](uint64_t v) { out.insert(out.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 8); };
    auto str = [&](const std::string& s) {
        u64(s.size());
        out.insert(out.end(), s.begin(), s.end());
    };
    out.insert(out.end(), {'G', 'G', 'U', 'F'});
    u32(3);
    u64(1);  // tensors
    u64(2);  // kv
    str("general.name");
    u32(8);
    str("tiny");
    str("list");
    u32(9);
    u32(4);
    u64(3);
    u32(10);
    u32(20);
    u32(30);
    str("w");
    u32(2);
    u64(3);  // ne[0]: row length
    u64(2);
    u32(0);  // f32
    u64(0);
    while (out.size() % 32) out.push_back(0);
    for (int i = 0; i < 6; ++i) {
        float v = static_cast<float>(i) + 0.5f;
        out.insert(out.end(), reinterpret_cast<uint8_t*>(&v), reinterpret_cast<uint8_t*>(&v) + 4);
    }
    return out;
}

TEST(ModelFile, ReadsGgufMetadataAndTensorsInPyTorchOrder) {
    TempFile f(small_gguf());
    auto file = sdn::ModelFile::open(f.path());
    EXPECT_STREQ(file->format_name(), "gguf");
    EXPECT_EQ(file->metadata().at("general.name").s, "tiny");
    const auto& list = file->metadata().at("list");
    ASSERT_EQ(list.array.size(), 3u);
    EXPECT_EQ(list.array[2].u, 30u);
    const auto* w = file->find("w");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->ref.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(static_cast<const float*>(w->ref.data)[5], 5.5f);
}

TEST(ModelFile, EveryTruncationOfAGgufFileIsAFormatError) {
    auto bytes = small_gguf();
    for (size_t n = 4; n < bytes.size(); ++n) {
        TempFile f(std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(n)));
        EXPECT_EQ(status_of(f.path()), SDN_ERR_FORMAT) << "truncated at " << n;
    }
}

TEST(ModelFile, HugeGgufCountsAreRefusedBeforeAllocating) {
    auto bytes = small_gguf();
    uint64_t huge = 1ull << 60;
    std::memcpy(bytes.data() + 8, &huge, 8);  // tensor count
    TempFile f(bytes);
    EXPECT_EQ(status_of(f.path()), SDN_ERR_FORMAT);
    auto bytes2 = small_gguf();
    std::memcpy(bytes2.data() + 16, &huge, 8);  // kv count
    TempFile f2(bytes2);
    EXPECT_EQ(status_of(f2.path()), SDN_ERR_FORMAT);
}

TEST(ModelFile, MissingFileIsAnIoError) {
    EXPECT_EQ(status_of("/nonexistent/dir/model.safetensors"), SDN_ERR_IO);
}

TEST(ModelFile, OracleCheckpointOpensWithEveryTensor) {
    const char* path = std::getenv("SDN_ORACLE_CHECKPOINT");
    if (!path || !*path) {
        if (std::getenv("CI") && std::string(std::getenv("CI")) == "true")
            FAIL() << "SDN_ORACLE_CHECKPOINT is not set (scripts/test.sh sets it)";
        GTEST_SKIP() << "SDN_ORACLE_CHECKPOINT not set (run scripts/oracle-checkpoint)";
    }
    auto file = sdn::ModelFile::open(path);
    EXPECT_EQ(file->tensors().size(), 1143u);  // the generator's own count (oracle README / its log)
    const auto* conv = file->find("model.diffusion_model.input_blocks.0.0.weight");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(conv->ref.shape, (std::vector<int64_t>{320, 4, 3, 3}));
    EXPECT_EQ(conv->ref.type, sdn::DType::F16);
}

}  // namespace
