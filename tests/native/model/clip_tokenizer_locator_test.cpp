// Where the CLIP vocabulary is found, in order, and the not-found message.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/error.h"
#include "model/clip_tokenizer_locator.h"

namespace {

namespace fs = std::filesystem;

// A model file that only has metadata.
class MetadataOnlyFile : public sdn::ModelFile {
public:
    std::map<std::string, sdn::MetaValue> meta;
    const std::string& path() const override { return path_; }
    const char* format_name() const override { return "gguf"; }
    const std::vector<sdn::TensorEntry>& tensors() const override { return tensors_; }
    const sdn::TensorEntry* find(const std::string&) const override { return nullptr; }
    const std::map<std::string, sdn::MetaValue>& metadata() const override { return meta; }
    void release_pages(const void*, uint64_t) const override {}

private:
    std::string path_ = "model.gguf";
    std::vector<sdn::TensorEntry> tensors_;
};

// Small vocabularies told apart by their merge count (vocab = 512 + merges + 2).
void write_bpe(const fs::path& p, int merges) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary);
    out << "#version: 0.2\n";
    const char* all[] = {"c a", "ca t</w>", "d o", "do g</w>"};
    for (int i = 0; i < merges; ++i) out << all[i] << "\n";
}

class ClipTokenizerLocator : public ::testing::Test {
protected:
    void SetUp() override {
        const char* env = std::getenv("SDN_TOKENIZER");
        if (env) saved_env_ = env, had_env_ = true;
        unsetenv("SDN_TOKENIZER");
        root_ = fs::temp_directory_path() / ("sdn_clip_locator_" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "models" / "checkpoints");
    }
    void TearDown() override {
        if (had_env_) setenv("SDN_TOKENIZER", saved_env_.c_str(), 1);
        else unsetenv("SDN_TOKENIZER");
        fs::remove_all(root_);
    }
    std::string model_path() const { return (root_ / "models" / "checkpoints" / "m.safetensors").string(); }
    std::string models_dir() const { return (root_ / "models").string(); }

    fs::path root_;
    std::string saved_env_;
    bool had_env_ = false;
};

TEST_F(ClipTokenizerLocator, NotFoundSaysWhereToPutItAndHowToGetIt) {
    try {
        sdn::locate_clip_tokenizer(nullptr, model_path(), nullptr, models_dir().c_str());
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_NOT_FOUND);
        std::string m = e.what();
        for (const char* part : {"bpe_simple_vocab_16e6.txt.gz", "vocab.json", "tokenizers",
                                 "SDN_TOKENIZER", "sdnative download-tokenizer", "checkpoints"})
            EXPECT_NE(m.find(part), std::string::npos) << part << " missing from: " << m;
    }
}

TEST_F(ClipTokenizerLocator, SearchOrderMetadataBesideModelsDirExplicitEnv) {
    MetadataOnlyFile gguf;
    sdn::MetaValue merges;
    merges.kind = sdn::MetaValue::Kind::Array;
    merges.array_kind = sdn::MetaValue::Kind::String;
    sdn::MetaValue one;
    one.kind = sdn::MetaValue::Kind::String;
    one.s = "c a";
    merges.array.push_back(one);
    gguf.meta[sdn::kGgufClipMergesKey] = merges;

    fs::path explicit_file = root_ / "elsewhere" / "explicit.txt";
    fs::path env_dir = root_ / "env";
    write_bpe(explicit_file, 3);
    write_bpe(env_dir / "bpe_simple_vocab_16e6.txt", 4);
    setenv("SDN_TOKENIZER", env_dir.string().c_str(), 1);
    auto size_of = [&](const sdn::ModelFile* f, const char* explicit_path) {
        return sdn::locate_clip_tokenizer(f, model_path(), explicit_path, models_dir().c_str())
            ->vocab_size();
    };
    // Only the environment variable.
    EXPECT_EQ(size_of(nullptr, nullptr), 512u + 4 + 2);
    // The explicit path comes before the environment variable.
    EXPECT_EQ(size_of(nullptr, explicit_file.string().c_str()), 512u + 3 + 2);
    // <models>/tokenizers/ comes before both.
    write_bpe(root_ / "models" / "tokenizers" / "bpe_simple_vocab_16e6.txt", 2);
    EXPECT_EQ(size_of(nullptr, explicit_file.string().c_str()), 512u + 2 + 2);
    // Beside the model comes before that.
    write_bpe(root_ / "models" / "checkpoints" / "bpe_simple_vocab_16e6.txt", 0 + 1);
    EXPECT_EQ(size_of(nullptr, explicit_file.string().c_str()), 512u + 1 + 2);
    // The model's own metadata comes first.
    merges.array.push_back(one);
    merges.array.back().s = "ca t</w>";
    gguf.meta[sdn::kGgufClipMergesKey] = merges;
    EXPECT_EQ(size_of(&gguf, explicit_file.string().c_str()), 512u + 2 + 2);
}

TEST_F(ClipTokenizerLocator, BadExplicitPathOrEnvIsNamed) {
    const std::string bad = (root_ / "no_such_vocab.txt.gz").string();
    try {
        sdn::locate_clip_tokenizer(nullptr, "", bad.c_str(), nullptr);
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_NOT_FOUND);
        EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
    setenv("SDN_TOKENIZER", bad.c_str(), 1);
    try {
        sdn::locate_clip_tokenizer(nullptr, "", nullptr, nullptr);
        FAIL() << "expected an error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_NOT_FOUND);
        EXPECT_NE(std::string(e.what()).find("SDN_TOKENIZER"), std::string::npos) << e.what();
    }
}

}  // namespace
