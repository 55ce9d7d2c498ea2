// Reading CLIP vocabularies from files: bpe_simple_vocab_16e6.txt(.gz), HuggingFace
// vocab.json + merges.txt, and the GGUF metadata our converter writes.
#include <zlib.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "model/clip_tokenizer.h"
#include "model/clip_unicode.h"

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

// A minimal reader for vocab.json: one flat object of "token": id.
class VocabJsonReader {
public:
    VocabJsonReader(const std::string& text, const std::string& path) : s_(text), path_(path) {}

    std::vector<std::string> read() {
        std::vector<std::pair<std::string, long long>> entries;
        skip_ws();
        expect('{');
        skip_ws();
        if (peek() == '}') bad("empty vocabulary");
        for (;;) {
            skip_ws();
            std::string key = string_value();
            skip_ws();
            expect(':');
            skip_ws();
            entries.emplace_back(std::move(key), integer());
            skip_ws();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            expect('}');
            break;
        }
        std::vector<std::string> vocab(entries.size());
        std::vector<bool> seen(entries.size(), false);
        for (auto& [token, id] : entries) {
            if (id < 0 || id >= static_cast<long long>(entries.size()) || seen[size_t(id)])
                bad("ids are not a permutation of 0..n-1");
            seen[size_t(id)] = true;
            vocab[size_t(id)] = std::move(token);
        }
        return vocab;
    }

private:
    [[noreturn]] void bad(const std::string& why) {
        fail(SDN_ERR_FORMAT, "tokenizer vocabulary '" + path_ + "': " + why);
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void skip_ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\r' ||
                                  s_[i_] == '\t'))
            ++i_;
    }
    void expect(char c) {
        if (peek() != c) bad(std::string("expected '") + c + "'");
        ++i_;
    }
    unsigned hex4() {
        if (i_ + 4 > s_.size()) bad("truncated \\u escape");
        unsigned v = 0;
        for (int k = 0; k < 4; ++k) {
            char c = s_[i_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= unsigned(c - '0');
            else if (c >= 'a' && c <= 'f') v |= unsigned(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= unsigned(c - 'A' + 10);
            else bad("bad \\u escape");
        }
        return v;
    }
    std::string string_value() {
        expect('"');
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) bad("unterminated string");
            char c = s_[i_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (i_ >= s_.size()) bad("unterminated escape");
            char e = s_[i_++];
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    unsigned cp = hex4();
                    if (cp >= 0xD800 && cp <= 0xDBFF && i_ + 1 < s_.size() && s_[i_] == '\\' &&
                        s_[i_ + 1] == 'u') {
                        i_ += 2;
                        unsigned lo = hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) bad("bad surrogate pair");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    clip_unicode::append_utf8(cp, out);
                    break;
                }
                default: bad("bad escape");
            }
        }
    }
    long long integer() {
        size_t start = i_;
        if (peek() == '-') ++i_;
        while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
        if (i_ == start || i_ - start > 12) bad("expected an integer id");
        return std::stoll(s_.substr(start, i_ - start));
    }

    const std::string& s_;
    std::string path_;
    size_t i_ = 0;
};

std::vector<std::string> string_array(const MetaValue& v, const char* key) {
    SDN_REQUIRE(v.kind == MetaValue::Kind::Array && v.array_kind == MetaValue::Kind::String,
                SDN_ERR_FORMAT, std::string("GGUF metadata '") + key + "' is not a string array");
    std::vector<std::string> out;
    out.reserve(v.array.size());
    for (const MetaValue& e : v.array) out.push_back(e.s);
    return out;
}

}  // namespace

std::shared_ptr<ClipTokenizer> ClipTokenizer::from_bpe_file(const std::string& path) {
    std::string text = read_maybe_gzip(path);
    return from_merges(merge_lines(text, path));
}

std::shared_ptr<ClipTokenizer> ClipTokenizer::from_hf_files(const std::string& vocab_json_path,
                                                            const std::string& merges_txt_path) {
    std::string vocab_text = read_maybe_gzip(vocab_json_path);
    std::vector<std::string> vocab = VocabJsonReader(vocab_text, vocab_json_path).read();
    return from_merges(merge_lines(read_maybe_gzip(merges_txt_path), merges_txt_path),
                       std::move(vocab));
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
