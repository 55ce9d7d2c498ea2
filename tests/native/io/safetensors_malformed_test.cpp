// The safetensors reader on broken files: headers written by hand in the test; every case
// must give Error(SDN_ERR_FORMAT) naming the file (and the tensor and dtype where relevant).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/model_file.h"

namespace {

const std::string kName = "broken.safetensors";

std::vector<uint8_t> file_bytes(const std::string& header, size_t data_bytes, uint64_t declared_len) {
    std::vector<uint8_t> out(8);
    std::memcpy(out.data(), &declared_len, 8);
    out.insert(out.end(), header.begin(), header.end());
    out.resize(out.size() + data_bytes, 0);
    return out;
}

std::vector<uint8_t> file_bytes(const std::string& header, size_t data_bytes) {
    return file_bytes(header, data_bytes, header.size());
}

std::string open_error(const std::vector<uint8_t>& bytes) {
    try {
        sdn::ModelFile::open_memory(bytes.data(), bytes.size(), kName);
        return "";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT) << e.what();
        std::string m = e.what();
        EXPECT_NE(m.find(kName), std::string::npos) << "message names the file: " << m;
        return m;
    }
}

void expect_rejected(const std::string& header, size_t data, const std::vector<std::string>& mentions) {
    std::string m = open_error(file_bytes(header, data));
    ASSERT_FALSE(m.empty()) << "opened: " << header;
    for (const auto& s : mentions) EXPECT_NE(m.find(s), std::string::npos) << "'" << s << "' not in: " << m;
}

const std::string kValid =
    R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},)"
    R"("ids":{"dtype":"I64","shape":[1,2],"data_offsets":[16,32]}})";

TEST(SafetensorsMalformed, ValidBaseOpensWithMetadataAndI64) {
    auto bytes = file_bytes(kValid, 32);
    auto f = sdn::ModelFile::open_memory(bytes.data(), bytes.size(), kName);
    ASSERT_EQ(f->tensors().size(), 2u);
    EXPECT_EQ(f->find("ids")->ref.type, sdn::DType::I64);
    EXPECT_EQ(f->metadata().at("format").s, "pt");
    EXPECT_EQ(f->metadata().at("format").kind, sdn::MetaValue::Kind::String);
}

TEST(SafetensorsMalformed, EveryTruncationIsAFormatError) {
    auto full = file_bytes(kValid, 32);
    for (size_t n = 0; n < full.size(); ++n) {
        std::vector<uint8_t> cut(full.begin(), full.begin() + static_cast<long>(n));
        ASSERT_FALSE(open_error(cut).empty()) << "truncated to " << n << " bytes opened";
    }
}

TEST(SafetensorsMalformed, HeaderLength) {
    std::string m = open_error(file_bytes(kValid, 32, kValid.size() + 1000));
    EXPECT_NE(m.find("runs past the end"), std::string::npos) << m;
    m = open_error(file_bytes(kValid, 32, uint64_t(200) << 20));
    EXPECT_NE(m.find("100 MB"), std::string::npos) << m;
    m = open_error(file_bytes(kValid, 32, ~uint64_t(0)));
    EXPECT_FALSE(m.empty());
}

TEST(SafetensorsMalformed, BadDtypeNamesTensorAndDtype) {
    expect_rejected(R"({"w":{"dtype":"F8_E4M3","shape":[4],"data_offsets":[0,4]}})", 4, {"'w'", "F8_E4M3"});
    expect_rejected(R"({"w":{"dtype":"I8","shape":[4],"data_offsets":[0,4]}})", 4, {"'w'", "I8"});
    expect_rejected(R"({"w":{"dtype":7,"shape":[4],"data_offsets":[0,4]}})", 4, {"'w'", "dtype"});
}

TEST(SafetensorsMalformed, BadOffsets) {
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}})", 8, {"'w'", "begin after"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}})", 8, {"'w'", "past the end"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,12]}})", 12, {"'w'", "need 8"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0]}})", 8, {"'w'", "data_offsets"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}})", 8, {"'w'"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8.5]}})", 8, {"'w'"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,99999999999999999999]}})", 8,
                    {"out of range"});
}

TEST(SafetensorsMalformed, BadShapes) {
    expect_rejected(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4, {"'w'", "shape"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":"2","data_offsets":[0,8]}})", 8, {"'w'", "shape"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8,
                    {"'w'", "too large"});
    expect_rejected(R"({"w":{"dtype":"F32","data_offsets":[0,8]}})", 8, {"'w'", "shape"});
}

TEST(SafetensorsMalformed, DuplicateNamesAndBadJson) {
    expect_rejected(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                    R"("w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                    4, {"duplicate", "w"});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},})", 4, {});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}} trailing)", 4, {"trailing"});
    expect_rejected(R"({"w":{"dtype":"F\u00zz","shape":[1],"data_offsets":[0,4]}})", 4, {});
    expect_rejected(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})", 4, {"end of JSON"});
    expect_rejected(R"({"__metadata__":{"n":1}})", 0, {"__metadata__"});
    expect_rejected(R"([1,2])", 0, {"not a safetensors"});  // no '{' where the header starts
    expect_rejected(R"({"a":1} )", 0, {});
    expect_rejected(R"({"w":5})", 0, {"'w'", "not an object"});
}

TEST(SafetensorsMalformed, NestingDepthIsLimited) {
    std::string deep = R"({"__metadata__":{"a":"b"},"x":)";
    for (int i = 0; i < 200; ++i) deep += "[";
    for (int i = 0; i < 200; ++i) deep += "]";
    deep += "}";
    expect_rejected(deep, 0, {"nesting deeper"});
}

}  // namespace
