// Reading CLIP vocabularies from files: bpe_simple_vocab_16e6.txt(.gz), HuggingFace
// vocab.json + merges.txt, and the GGUF metadata our converter writes.
#include <zlib.h>

#include <cstdio>
#include <functional>
#include <filesystem>
#include <list>
#include <mutex>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "io/json_value.h"
#include "model/clip_tokenizer.h"

namespace sdn {

namespace {

// Whole file contents; gunzipped when it starts with the gzip magic.
std::string read_maybe_gzip(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");  // reads plain files transparently too
    SDN_REQUIRE(f != nullptr, SDN_ERR_IO, "cannot open tokenizer file '" + path + "'");
    std::string out;
    char buf[65536];
    for (;;) {
        int n = gzread(f, buf, sizeof(buf));
        if (n < 0) {
            gzclose(f);
            fail(SDN_ERR_FORMAT, "tokenizer file '" + path + "' is corrupt (gzip error)");
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        SDN_REQUIRE(out.size() < (size_t(256) << 20), SDN_ERR_FORMAT,
                    "tokenizer file '" + path + "' is implausibly large");
    }
    gzclose(f);
    return out;
}

// Lines after the header line, at most kMergeCount of them (the rest of the file is unused
// by CLIP), trailing CR and empty lines dropped.
std::vector<std::string> merge_lines(const std::string& text, const std::string& path) {
    std::vector<std::string> merges;
    std::istringstream in(text);
    std::string line;
    bool header = true;
    while (merges.size() < ClipTokenizer::kMergeCount && std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (header) {
            header = false;
            continue;
        }
        if (line.empty()) continue;
        merges.push_back(line);
    }
    SDN_REQUIRE(!merges.empty(), SDN_ERR_FORMAT, "tokenizer file '" + path + "' holds no merges");
    return merges;
}

// vocab.json is one flat object of "token": id, with ids a permutation of 0..n-1.
std::vector<std::string> read_vocab_json(const std::string& text, const std::string& path) {
    auto bad = [&](const std::string& why) {
        fail(SDN_ERR_FORMAT, "tokenizer vocabulary '" + path + "': " + why);
    };
    json::Value doc = json::parse(text, "tokenizer vocabulary '" + path + "'");
    if (doc.kind != json::Value::Kind::Object) bad("not a JSON object");
    if (doc.object.empty()) bad("empty vocabulary");
    const auto n = static_cast<int64_t>(doc.object.size());
    std::vector<std::string> vocab(doc.object.size());
    std::vector<bool> seen(doc.object.size(), false);
    for (auto& [token, id] : doc.object) {
        if (id.kind != json::Value::Kind::Number || !id.is_integer) bad("id of '" + token + "' is not an integer");
        if (id.integer < 0 || id.integer >= n || seen[size_t(id.integer)])
            bad("ids are not a permutation of 0..n-1");
        seen[size_t(id.integer)] = true;
        vocab[size_t(id.integer)] = token;
    }
    return vocab;
}

std::vector<std::string> string_array(const MetaValue& v, const char* key) {
    SDN_REQUIRE(v.kind == MetaValue::Kind::Array && v.array_kind == MetaValue::Kind::String,
                SDN_ERR_FORMAT, std::string("GGUF metadata '") + key + "' is not a string array");
    std::vector<std::string> out;
    out.reserve(v.array.size());
    for (const MetaValue& e : v.array) out.push_back(e.s);
    return out;
}


// Parsed vocabularies, kept for the life of the process and keyed by file identity, so that
// loading the same checkpoint again does not re-parse ~50,000 merges. Loading and unloading
// models in a loop would otherwise scatter these many small allocations over the allocator's
// per-thread arenas, where freed memory is not returned to the OS. Tokenizers are immutable.
class TokenizerCache {
public:
    std::shared_ptr<ClipTokenizer> get(const std::string& key,
                                       const std::function<std::shared_ptr<ClipTokenizer>()>& load) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (auto it = entries_.begin(); it != entries_.end(); ++it)
                if (it->first == key) return it->second;
        }
        auto tokenizer = load();  // outside the lock: parsing takes a while
        std::lock_guard<std::mutex> lock(mutex_);
        entries_.emplace_front(key, tokenizer);
        if (entries_.size() > kMaxEntries) entries_.pop_back();
        return tokenizer;
    }

private:
    static constexpr size_t kMaxEntries = 4;
    std::mutex mutex_;
    std::list<std::pair<std::string, std::shared_ptr<ClipTokenizer>>> entries_;
};

TokenizerCache& tokenizer_cache() {
    static TokenizerCache cache;
    return cache;
}

// Canonical path, size and modification time: a changed file is read again.
std::string file_identity(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    auto size = fs::file_size(path, ec);
    auto time = fs::last_write_time(path, ec).time_since_epoch().count();
    return (ec ? path : canonical.string()) + "|" + std::to_string(size) + "|" + std::to_string(time);
}

}  // namespace

std::shared_ptr<ClipTokenizer> ClipTokenizer::from_bpe_file(const std::string& path) {
    return tokenizer_cache().get(file_identity(path), [&] {
        std::string text = read_maybe_gzip(path);
        return from_merges(merge_lines(text, path));
    });
}

std::shared_ptr<ClipTokenizer> ClipTokenizer::from_hf_files(const std::string& vocab_json_path,
                                                            const std::string& merges_txt_path) {
    return tokenizer_cache().get(file_identity(vocab_json_path) + "+" + file_identity(merges_txt_path), [&] {
        std::string vocab_text = read_maybe_gzip(vocab_json_path);
        std::vector<std::string> vocab = read_vocab_json(vocab_text, vocab_json_path);
        return from_merges(merge_lines(read_maybe_gzip(merges_txt_path), merges_txt_path),
                           std::move(vocab));
    });
}

std::shared_ptr<ClipTokenizer> ClipTokenizer::from_gguf_metadata(
    const std::map<std::string, MetaValue>& metadata) {
    auto merges = metadata.find(kGgufClipMergesKey);
    if (merges == metadata.end()) return nullptr;
    std::vector<std::string> vocab;
    auto v = metadata.find(kGgufClipVocabKey);
    if (v != metadata.end()) vocab = string_array(v->second, kGgufClipVocabKey);
    std::vector<std::string> m = string_array(merges->second, kGgufClipMergesKey);
    SDN_REQUIRE(!m.empty(), SDN_ERR_FORMAT, "GGUF tokenizer metadata holds no merges");
    return from_merges(std::move(m), std::move(vocab));
}

}  // namespace sdn
