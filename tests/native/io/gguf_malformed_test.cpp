// The GGUF reader on broken files: each case is built byte by byte and must give
// Error(SDN_ERR_FORMAT) whose message names the file (and the tensor, for tensor problems).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "core/error.h"
#include "gguf_bytes.h"
#include "io/gguf_writer.h"
#include "io/model_file.h"

namespace {

using io_test::GgufBytes;

const std::string kName = "broken.gguf";

// The error for opening bytes, or "" when they opened.
std::string open_error(const std::vector<uint8_t>& bytes, sdn_status want = SDN_ERR_FORMAT) {
    try {
        sdn::ModelFile::open_memory(bytes.data(), bytes.size(), kName);
        return "";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), want) << e.what();
        std::string m = e.what();
        EXPECT_NE(m.find(kName), std::string::npos) << "message names the file: " << m;
        return m;
    }
}

void expect_rejected(const GgufBytes& g, const std::string& mentions) {
    std::string m = open_error(g.bytes);
    ASSERT_FALSE(m.empty()) << "expected an error mentioning '" << mentions << "'";
    EXPECT_NE(m.find(mentions), std::string::npos) << m;
}

// One f32 tensor "w" of 4 values, data at offset 0.
GgufBytes valid_one_tensor() {
    GgufBytes g;
    g.header(1, 1).kv_string("general.architecture", "sd1").tensor("w", {4}, 0, 0).pad(32).zeros(16);
    return g;
}

TEST(GgufMalformed, ValidBaseOpens) {
    auto g = valid_one_tensor();
    auto f = sdn::ModelFile::open_memory(g.bytes.data(), g.bytes.size(), kName);
    ASSERT_EQ(f->tensors().size(), 1u);
    EXPECT_EQ(f->tensors()[0].ref.shape, std::vector<int64_t>{4});
}

TEST(GgufMalformed, EveryTruncationOfAWriterFileIsAFormatError) {
    sdn::GgufWriter w(64);
    w.add_string("general.architecture", "sd1");
    w.add_string_array("tokens", {"a", "bc"});
    w.add_f64("x", 1.0);
    std::vector<uint8_t> q(18 * 2, 0);
    w.add_tensor("q", sdn::DType::Q4_0, {1, 64}, q.data(), q.size());
    std::vector<uint8_t> f(8, 0);
    w.add_tensor("f", sdn::DType::F16, {2, 2}, f.data(), f.size());
    const std::string path = testing::TempDir() + "truncation_" + std::to_string(::getpid()) + ".gguf";
    w.write(path);
    std::vector<uint8_t> full;
    {
        auto file = sdn::ModelFile::open(path);  // the full file opens
        FILE* fp = std::fopen(path.c_str(), "rb");
        int c;
        while ((c = std::fgetc(fp)) != EOF) full.push_back(static_cast<uint8_t>(c));
        std::fclose(fp);
    }
    std::remove(path.c_str());
    // The last tensor ends 8 bytes into its aligned slot, so the file has trailing padding:
    // truncating only padding still leaves a valid file; everything shorter must fail.
    size_t needed = full.size() - 64 + 8;
    for (size_t n = 0; n < needed; ++n) {
        std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
        ASSERT_FALSE(open_error(cut).empty()) << "truncated to " << n << " bytes opened";
    }
}

TEST(GgufMalformed, Versions) {
    GgufBytes v1;
    v1.header(0, 0, 1);
    expect_rejected(v1, "version 1");
    GgufBytes v4;
    v4.header(0, 0, 4);
    expect_rejected(v4, "version 4");
    GgufBytes v2;
    v2.header(0, 0, 2);
    EXPECT_EQ(open_error(v2.bytes), "");
}

TEST(GgufMalformed, HugeCountsAreRefusedBeforeAllocating) {
    GgufBytes kv;
    kv.header(0, uint64_t(1) << 60);
    expect_rejected(kv, "metadata entries cannot fit");
    GgufBytes t;
    t.header(~uint64_t(0), 0);
    expect_rejected(t, "tensors cannot fit");
    GgufBytes arr;
    arr.header(0, 1).str("a").u32(9).u32(0).u64(uint64_t(1) << 40);
    expect_rejected(arr, "cannot fit");
    GgufBytes s;
    s.header(0, 1).str("a").u32(8).u64(uint64_t(1) << 62);
    expect_rejected(s, "string length");
    GgufBytes key;
    key.header(0, 1).u64(~uint64_t(0)).zeros(16);
    expect_rejected(key, "string length");
}

TEST(GgufMalformed, BadMetadataValues) {
    GgufBytes type;
    type.header(0, 1).str("a").u32(13).u32(0);
    expect_rejected(type, "unknown metadata value type 13");
    GgufBytes elem;
    elem.header(0, 1).str("a").u32(9).u32(99).u64(1).u32(0);
    expect_rejected(elem, "unknown array element type 99");
    GgufBytes b;
    b.header(0, 1).str("a").u32(7).pod<uint8_t>(2);
    expect_rejected(b, "bool");
    GgufBytes dup;
    dup.header(0, 2).kv_u32("a", 1).kv_u32("a", 2);
    expect_rejected(dup, "duplicate metadata key 'a'");
    GgufBytes deep;
    deep.header(0, 1).str("a").u32(9);
    for (int i = 0; i < 10; ++i) deep.u32(9).u64(1);  // arrays of arrays ... 10 deep
    deep.u32(4).u64(0);
    expect_rejected(deep, "nested deeper");
}

TEST(GgufMalformed, BadAlignment) {
    for (uint32_t a : {0u, 3u, 48u, 1u << 21}) {
        GgufBytes g;
        g.header(0, 1).kv_u32("general.alignment", a);
        expect_rejected(g, "general.alignment");
    }
    GgufBytes str;
    str.header(0, 1).kv_string("general.alignment", "32");
    expect_rejected(str, "general.alignment");
}

TEST(GgufMalformed, BadTensorInfosNameTheTensor) {
    struct Case {
        const char* what;
        std::vector<uint64_t> ne;
        uint32_t type;
        uint64_t offset;
        const char* mentions;
    };
    const Case cases[] = {
        {"no dims", {}, 0, 0, "0 dimensions"},
        {"five dims", {1, 1, 1, 1, 1}, 0, 0, "5 dimensions"},
        {"zero dim", {4, 0}, 0, 0, "impossible dimension 0"},
        {"overflowing product", {uint64_t(1) << 32, uint64_t(1) << 32}, 0, 0, "impossible dimension"},
        {"unknown type", {4}, 4, 0, "unknown type id 4"},
        {"unaligned offset", {4}, 0, 4, "not aligned"},
        {"data past end", {4}, 0, 32, "past the end"},
        {"huge offset", {4}, 0, ~uint64_t(31), "past the end"},
        {"row not whole blocks", {48, 2}, 2, 0, "block size"},
    };
    for (const Case& c : cases) {
        GgufBytes g;
        g.header(1, 0).tensor("bad.tensor", c.ne, c.type, c.offset).pad(32).zeros(16);
        std::string m = open_error(g.bytes);
        ASSERT_FALSE(m.empty()) << c.what;
        EXPECT_NE(m.find("bad.tensor"), std::string::npos) << c.what << ": " << m;
        EXPECT_NE(m.find(c.mentions), std::string::npos) << c.what << ": " << m;
    }
}

TEST(GgufMalformed, DuplicateTensorNames) {
    GgufBytes g;
    g.header(2, 0).tensor("w", {4}, 0, 0).tensor("w", {4}, 0, 32).pad(32).zeros(64);
    expect_rejected(g, "'w' appears twice");
}

TEST(GgufMalformed, DataSectionPastTheEnd) {
    GgufBytes g;
    g.header(1, 0).tensor("w", {4}, 0, 0);  // no padding, no data
    expect_rejected(g, "");
}

TEST(GgufMalformed, NotAModelFile) {
    GgufBytes g;
    g.raw("PK\x03\x04 this is a zip", 18);
    expect_rejected(g, "not a safetensors or GGUF file");
    EXPECT_FALSE(open_error({}).empty());
}

}  // namespace
