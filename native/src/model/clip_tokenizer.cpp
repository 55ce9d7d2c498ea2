#include "model/clip_tokenizer.h"

#include <climits>

#include "core/error.h"
#include "model/clip_unicode.h"

namespace sdn {

namespace cu = clip_unicode;

uint32_t clip_byte_to_codepoint(uint8_t b) {
    // Printable Latin-1 bytes map to themselves; the other 68 bytes (controls, space, DEL,
    // NBSP, soft hyphen) take 256, 257, ... in byte order, so no symbol is whitespace.
    auto printable = [](int v) {
        return (v >= 0x21 && v <= 0x7E) || (v >= 0xA1 && v <= 0xAC) || (v >= 0xAE && v <= 0xFF);
    };
    if (printable(b)) return b;
    uint32_t n = 0;
    for (int v = 0; v < b; ++v)
        if (!printable(v)) ++n;
    return 256 + n;
}

namespace {

// The 256 byte symbols in vocabulary order: printable bytes ascending, then the rest.
std::vector<uint8_t> bytes_in_vocab_order() {
    std::vector<uint8_t> printable, rest;
    for (int b = 0; b < 256; ++b) {
        uint32_t cp = clip_byte_to_codepoint(static_cast<uint8_t>(b));
        (cp == static_cast<uint32_t>(b) ? printable : rest).push_back(static_cast<uint8_t>(b));
    }
    printable.insert(printable.end(), rest.begin(), rest.end());
    return printable;
}

const char kEndOfWord[] = "</w>";
const char kStartText[] = "<|startoftext|>";
const char kEndText[] = "<|endoftext|>";

}  // namespace

std::shared_ptr<ClipTokenizer> ClipTokenizer::from_merges(std::vector<std::string> merges,
                                                          std::vector<std::string> vocab) {
    std::shared_ptr<ClipTokenizer> t(new ClipTokenizer());
    for (int b = 0; b < 256; ++b) {
        t->byte_symbol_[b].clear();
        cu::append_utf8(clip_byte_to_codepoint(static_cast<uint8_t>(b)), t->byte_symbol_[b]);
    }
    for (size_t i = 0; i < merges.size(); ++i) {
        const std::string& m = merges[i];
        size_t sp = m.find(' ');
        SDN_REQUIRE(sp != std::string::npos && sp > 0 && sp + 1 < m.size() &&
                        m.find(' ', sp + 1) == std::string::npos,
                    SDN_ERR_FORMAT, "CLIP tokenizer: malformed merge line '" + m + "'");
        t->merge_rank_.emplace(m, static_cast<int32_t>(i));
    }
    if (vocab.empty()) {
        std::vector<uint8_t> order = bytes_in_vocab_order();
        for (uint8_t b : order) vocab.push_back(t->byte_symbol_[b]);
        for (uint8_t b : order) vocab.push_back(t->byte_symbol_[b] + kEndOfWord);
        for (const std::string& m : merges) {
            size_t sp = m.find(' ');
            vocab.push_back(m.substr(0, sp) + m.substr(sp + 1));
        }
        vocab.push_back(kStartText);
        vocab.push_back(kEndText);
    }
    SDN_REQUIRE(vocab.size() < static_cast<size_t>(INT32_MAX), SDN_ERR_FORMAT,
                "CLIP tokenizer: vocabulary too large");
    for (size_t i = 0; i < vocab.size(); ++i)
        t->ids_.emplace(vocab[i], static_cast<int32_t>(i));
    auto start = t->ids_.find(kStartText);
    auto end = t->ids_.find(kEndText);
    SDN_REQUIRE(start != t->ids_.end() && end != t->ids_.end(), SDN_ERR_FORMAT,
                "CLIP tokenizer: vocabulary lacks <|startoftext|> / <|endoftext|>");
    t->start_id_ = start->second;
    t->end_id_ = end->second;
    for (int b = 0; b < 256; ++b) {
        SDN_REQUIRE(t->ids_.count(t->byte_symbol_[b] + kEndOfWord) != 0, SDN_ERR_FORMAT,
                    "CLIP tokenizer: vocabulary lacks a byte symbol");
    }
    t->merges_ = std::move(merges);
    t->vocab_ = std::move(vocab);
    return t;
}

// BPE of one pre-split word (already lower-cased UTF-8).
void ClipTokenizer::append_word_ids(const std::string& word, std::vector<int32_t>& out) const {
    if (word == kStartText || word == kEndText) {
        out.push_back(word == kStartText ? start_id_ : end_id_);
        return;
    }
    std::vector<std::string> parts;
    for (unsigned char c : word) parts.push_back(byte_symbol_[c]);
    if (parts.empty()) return;
    parts.back() += kEndOfWord;
    while (parts.size() > 1) {
        int32_t best = INT32_MAX;
        size_t best_at = 0;
        for (size_t i = 0; i + 1 < parts.size(); ++i) {
            auto it = merge_rank_.find(parts[i] + ' ' + parts[i + 1]);
            if (it != merge_rank_.end() && it->second < best) {
                best = it->second;
                best_at = i;
            }
        }
        if (best == INT32_MAX) break;
        // Merge every non-overlapping occurrence of the best pair, left to right.
        const std::string first = parts[best_at], second = parts[best_at + 1];
        std::vector<std::string> merged;
        merged.reserve(parts.size());
        for (size_t i = 0; i < parts.size();) {
            if (i + 1 < parts.size() && parts[i] == first && parts[i + 1] == second) {
                merged.push_back(first + second);
                i += 2;
            } else {
                merged.push_back(parts[i]);
                ++i;
            }
        }
        parts.swap(merged);
    }
    for (const std::string& p : parts) {
        auto it = ids_.find(p);
        // Every byte symbol (with or without </w>) is in the vocabulary, so a miss can only
        // come from an inconsistent vocab.json; fall back to the bytes rather than fail.
        if (it != ids_.end()) {
            out.push_back(it->second);
        } else {
            for (uint32_t cp : cu::decode_utf8(p)) {
                std::string s;
                cu::append_utf8(cp, s);
                auto bit = ids_.find(s);
                if (bit != ids_.end()) out.push_back(bit->second);
            }
        }
    }
}

// One piece of text between special-token strings: cleanup, then the pre-split regex.
void ClipTokenizer::append_piece_ids(const std::string& piece, std::vector<int32_t>& out) const {
    // BERT-style cleanup, then NFC, then lower-casing (the order HuggingFace applies them).
    std::vector<uint32_t> spaced;
    for (uint32_t cp : cu::decode_utf8(piece)) {
        if (cp == 0 || cp == 0xFFFD) continue;
        if (cu::is_whitespace(cp)) {
            spaced.push_back(' ');
            continue;
        }
        if (cu::is_control(cp)) continue;
        if (cu::is_cjk_ideograph(cp)) {
            spaced.push_back(' ');
            spaced.push_back(cp);
            spaced.push_back(' ');
            continue;
        }
        spaced.push_back(cp);
    }
    std::vector<uint32_t> composed = cu::compose_nfc(spaced), cleaned;
    for (size_t i = 0; i < composed.size(); ++i) {
        // Python lowers a capital sigma that ends a word (a letter before it, none after) to
        // the final form; letters stand in for Unicode's "cased" characters here.
        if (composed[i] == 0x3A3 && i > 0 && cu::is_letter(composed[i - 1]) &&
            !(i + 1 < composed.size() && cu::is_letter(composed[i + 1]))) {
            cleaned.push_back(0x3C2);
            continue;
        }
        cu::append_lower(composed[i], cleaned);
    }
    auto is_space = [](uint32_t c) { return cu::is_whitespace(c); };
    auto is_letter = [](uint32_t c) { return cu::is_letter(c); };
    auto is_number = [](uint32_t c) { return cu::is_number(c); };
    const size_t n = cleaned.size();
    auto at = [&](size_t i) -> uint32_t { return i < n ? cleaned[i] : 0; };
    auto emit = [&](size_t from, size_t to) {
        std::string word;
        for (size_t i = from; i < to; ++i) cu::append_utf8(cleaned[i], word);
        append_word_ids(word, out);
    };
    auto matches = [&](size_t i, const char* lit) {
        for (size_t k = 0; lit[k]; ++k)
            if (at(i + k) != static_cast<unsigned char>(lit[k])) return false;
        return true;
    };
    static const char* const kSpecials[] = {kStartText, kEndText};
    static const char* const kContractions[] = {"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"};
    size_t i = 0;
    while (i < n) {
        uint32_t c = cleaned[i];
        size_t len = 0;
        for (const char* s : kSpecials)
            if (!len && matches(i, s)) len = std::char_traits<char>::length(s);
        for (const char* s : kContractions)
            if (!len && matches(i, s)) len = std::char_traits<char>::length(s);
        if (len) {
            emit(i, i + len);
            i += len;
        } else if (is_letter(c)) {
            size_t j = i;
            while (j < n && is_letter(cleaned[j])) ++j;
            emit(i, j);
            i = j;
        } else if (is_number(c)) {
            emit(i, i + 1);
            ++i;
        } else if (!is_space(c)) {
            size_t j = i;
            while (j < n && !is_space(cleaned[j]) && !is_letter(cleaned[j]) &&
                   !is_number(cleaned[j]))
                ++j;
            emit(i, j);
            i = j;
        } else {
            ++i;
        }
    }
}

std::vector<int32_t> ClipTokenizer::encode(const std::string& text) const {
    // The special-token strings are cut out of the raw text first (case-sensitively), as
    // HuggingFace's added-token split does; the pieces between are tokenized independently.
    std::vector<int32_t> out;
    size_t pos = 0;
    while (pos <= text.size()) {
        size_t s = text.find(kStartText, pos), e = text.find(kEndText, pos);
        size_t next = std::min(s, e);
        if (next == std::string::npos) {
            append_piece_ids(text.substr(pos), out);
            break;
        }
        append_piece_ids(text.substr(pos, next - pos), out);
        bool is_start = next == s;
        out.push_back(is_start ? start_id_ : end_id_);
        pos = next + (is_start ? sizeof(kStartText) : sizeof(kEndText)) - 1;
    }
    return out;
}

}  // namespace sdn
