// Replays every committed fuzz input (tests/native/fuzz/corpus/** and crashes/**) through the
// model-file readers: each must open or fail with a status, never crash. Crash inputs found
// by scripts/fuzz.sh are committed under crashes/ and stay here as regression cases, beside the
// hostile inputs make_corpus.py writes there; those are listed below, so a missing or moved
// folder fails instead of replaying nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/model_file.h"
#include "quant/row_ops.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputs(const std::string& sub) {
    std::vector<fs::path> out;
    const fs::path root = fs::path(SDN_SOURCE_DIR) / "tests" / "native" / "fuzz" / sub;
    if (!fs::exists(root)) return out;
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

// Opens the bytes and touches what the reader returned, like the fuzz targets do.
sdn_status replay(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(f)), {});
    try {
        auto file = sdn::ModelFile::open_memory(bytes.data(), bytes.size(), p.filename().string());
        for (const auto& t : file->tensors()) {
            const int64_t row = t.ref.row_elems();
            if (row > 0 && row <= 4096 && t.ref.nbytes >= sdn::dtype_row_bytes(t.ref.type, row)) {
                std::vector<float> out(static_cast<size_t>(row));
                sdn::dequantize_row_reference(t.ref.type, t.ref.data, out.data(), row);
            }
        }
        return SDN_OK;
    } catch (const sdn::Error& e) {
        EXPECT_NE(std::string(e.what()).find(p.filename().string()), std::string::npos) << e.what();
        return e.status();
    }
}

TEST(FuzzRegression, SeedCorpusOpensOrFailsWithAStatus) {
    auto files = inputs("corpus");
    ASSERT_FALSE(files.empty()) << "the seed corpus is committed with the fuzz targets";
    int opened = 0;
    for (const auto& p : files) {
        sdn_status s = replay(p);
        EXPECT_TRUE(s == SDN_OK || s == SDN_ERR_FORMAT) << p << " status " << s;
        opened += s == SDN_OK;
    }
    // Every seed except the deliberate near miss (an unsupported dtype) is a valid file.
    EXPECT_EQ(opened, static_cast<int>(files.size()) - 1);
}

// The hostile inputs make_corpus.py writes: each must be refused as malformed.
const char* const kHostileInputs[] = {
    "gguf/hostile_tensor_count.gguf",
    "gguf/hostile_key_length.gguf",
    "gguf/hostile_array_count.gguf",
    "gguf/hostile_dims_overflow.gguf",
    "gguf/hostile_offset_past_end.gguf",
    "safetensors/hostile_header_length.safetensors",
    "safetensors/hostile_offsets_past_end.safetensors",
    "safetensors/hostile_offsets_reversed.safetensors",
    "safetensors/hostile_shape_overflow.safetensors",
    "safetensors/hostile_nesting.safetensors",
};

TEST(FuzzRegression, HostileInputsAreFormatErrors) {
    const fs::path root = fs::path(SDN_SOURCE_DIR) / "tests" / "native" / "fuzz" / "crashes";
    for (const char* name : kHostileInputs) {
        const fs::path p = root / name;
        ASSERT_TRUE(fs::is_regular_file(p)) << p << " is missing (tests/native/fuzz/make_corpus.py writes it)";
        EXPECT_EQ(replay(p), SDN_ERR_FORMAT) << p;
    }
}

TEST(FuzzRegression, CommittedCrashInputsGiveAStatus) {
    auto files = inputs("crashes");
    std::printf("replaying %zu crash inputs\n", files.size());
    ASSERT_GE(files.size(), std::size(kHostileInputs)) << "crashes/ lost its committed inputs";
    for (const auto& p : files) {
        sdn_status s = replay(p);
        EXPECT_TRUE(s == SDN_OK || s == SDN_ERR_FORMAT) << p << " status " << s;
    }
}

}  // namespace
