#include "model/clip_prompt_weights.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

#include "model/clip_tokenizer.h"

namespace sdn {

namespace {

// Escaped parentheses are hidden behind two-byte markers while parsing, as ComfyUI does.
const std::string kEscClose("\0\1", 2);
const std::string kEscOpen("\0\2", 2);

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
        s.replace(pos, from.size(), to);
}

// Splits at top-level parenthesised groups. The nesting counter goes negative after a
// stray ")", and then no later "(" starts a group at level 0 (all stays literal).
std::vector<std::string> split_top_level_groups(const std::string& s) {
    std::vector<std::string> out;
    std::string current;
    int level = 0;
    for (char c : s) {
        if (c == '(') {
            if (level == 0) {
                if (!current.empty()) out.push_back(current);
                current = "(";
            } else {
                current += c;
            }
            ++level;
        } else if (c == ')') {
            --level;
            if (level == 0) {
                out.push_back(current + ")");
                current.clear();
            } else {
                current += c;
            }
        } else {
            current += c;
        }
    }
    if (!current.empty()) out.push_back(current);
    return out;
}

void weigh(const std::string& s, double weight, std::vector<WeightedSegment>& out) {
    for (std::string part : split_top_level_groups(s)) {
        if (part.size() >= 2 && part.front() == '(' && part.back() == ')') {
            std::string inner = part.substr(1, part.size() - 2);
            double w = weight * 1.1;
            size_t colon = inner.rfind(':');
            double absolute;
            if (colon != std::string::npos && colon > 0 &&
                parse_python_float(inner.substr(colon + 1), &absolute)) {
                w = absolute;
                inner.resize(colon);
            }
            weigh(inner, w, out);
        } else {
            out.push_back({part, weight});
        }
    }
}

bool is_py_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

bool parse_python_float(const std::string& text, double* value) {
    size_t b = 0, e = text.size();
    while (b < e && is_py_space(text[b])) ++b;
    while (e > b && is_py_space(text[e - 1])) --e;
    std::string s = text.substr(b, e - b);
    if (s.empty()) return false;
    size_t i = 0;
    bool negative = false;
    if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
    std::string rest = s.substr(i);
    std::string lower;
    for (char c : rest) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "inf" || lower == "infinity") {
        *value = negative ? -HUGE_VAL : HUGE_VAL;
        return true;
    }
    if (lower == "nan") {
        *value = std::nan("");
        return true;
    }
    // digits ("_" only between two digits), optional ".", digits, optional exponent.
    std::string clean = negative ? "-" : "";
    auto digits = [&](size_t& j) {
        size_t count = 0;
        while (j < rest.size()) {
            char c = rest[j];
            if (std::isdigit(static_cast<unsigned char>(c))) {
                clean += c;
                ++count;
                ++j;
            } else if (c == '_' && count > 0 && j + 1 < rest.size() &&
                       std::isdigit(static_cast<unsigned char>(rest[j + 1]))) {
                ++j;
            } else {
                break;
            }
        }
        return count;
    };
    size_t j = 0;
    size_t int_digits = digits(j);
    size_t frac_digits = 0;
    if (j < rest.size() && rest[j] == '.') {
        clean += '.';
        ++j;
        frac_digits = digits(j);
    }
    if (int_digits + frac_digits == 0) return false;
    if (j < rest.size() && (rest[j] == 'e' || rest[j] == 'E')) {
        clean += 'e';
        ++j;
        if (j < rest.size() && (rest[j] == '+' || rest[j] == '-')) clean += rest[j++];
        if (digits(j) == 0) return false;
    }
    if (j != rest.size()) return false;
    *value = std::strtod(clean.c_str(), nullptr);
    return true;
}

std::vector<WeightedSegment> parse_prompt_weights(const std::string& prompt) {
    std::string text = prompt;
    replace_all(text, "\\)", kEscClose);
    replace_all(text, "\\(", kEscOpen);
    std::vector<WeightedSegment> out;
    weigh(text, 1.0, out);
    for (WeightedSegment& seg : out) {
        replace_all(seg.text, kEscClose, ")");
        replace_all(seg.text, kEscOpen, "(");
    }
    return out;
}

bool ClipTokenChunks::has_weights() const {
    for (float w : weights)
        if (w != 1.0f) return true;
    return false;
}

namespace {

const std::string kEmbeddingTag = "embedding:";

// The words of one segment: split before " embedding:" and "\nembedding:".
std::vector<std::string> split_embedding_words(const std::string& s) {
    std::vector<std::string> words;
    size_t start = 0, pos = 0;
    bool first = true;
    for (;;) {
        size_t a = s.find(" " + kEmbeddingTag, pos), b = s.find("\n" + kEmbeddingTag, pos);
        size_t cut = std::min(a, b);
        std::string piece = s.substr(start, cut == std::string::npos ? std::string::npos
                                                                     : cut - start);
        if (!first) piece = kEmbeddingTag + piece;
        if (!piece.empty()) words.push_back(piece);
        if (cut == std::string::npos) break;
        first = false;
        start = pos = cut + 1 + kEmbeddingTag.size();
    }
    return words;
}

// Python's str.split() on whitespace.
std::vector<std::string> split_ws(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (is_py_space(c)) {
            if (!cur.empty()) out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
}

}  // namespace

ClipTokenChunks tokenize_clip_prompt(const ClipTokenizer& tokenizer, const std::string& prompt,
                                     int32_t pad_id) {
    ClipTokenChunks result;
    std::vector<std::vector<std::pair<int32_t, float>>> groups;
    for (const WeightedSegment& seg : parse_prompt_weights(prompt)) {
        const float w = static_cast<float>(seg.weight);
        for (std::string word : split_embedding_words(seg.text)) {
            if (word.compare(0, kEmbeddingTag.size(), kEmbeddingTag) == 0) {
                std::string name = word.substr(kEmbeddingTag.size());
                while (!name.empty() && name.front() == '\n') name.erase(0, 1);
                while (!name.empty() && name.back() == '\n') name.pop_back();
                std::vector<std::string> parts = split_ws(name);
                std::string first = parts.empty() ? std::string() : parts[0];
                std::string leftover;
                for (size_t k = 1; k < parts.size(); ++k) leftover += (k > 1 ? " " : "") + parts[k];
                size_t lo = first.find_first_not_of(',');
                size_t hi = first.find_last_not_of(',');
                std::string stripped =
                    lo == std::string::npos ? std::string() : first.substr(lo, hi - lo + 1);
                if (stripped.size() < first.size())
                    leftover = first.substr(std::min(stripped.size(), first.size())) + " " +
                               leftover;
                result.warnings.push_back("embedding:" + first +
                                          " ignored (textual inversions are not supported)");
                if (leftover.empty()) continue;
                word = leftover;
            }
            std::vector<std::pair<int32_t, float>> g;
            for (int32_t id : tokenizer.encode(word)) g.emplace_back(id, w);
            groups.push_back(std::move(g));
        }
    }

    const int32_t start = tokenizer.start_id(), end = tokenizer.end_id();
    const int32_t pad = pad_id < 0 ? end : pad_id;
    const size_t max_len = kClipChunkLength;
    const size_t max_word = 8;
    std::vector<std::vector<std::pair<int32_t, float>>> batches(1);
    batches.back().emplace_back(start, 1.0f);
    for (auto& group : groups) {
        const bool is_large = group.size() >= max_word;
        size_t offset = 0;
        while (offset < group.size()) {
            auto& batch = batches.back();
            size_t left = group.size() - offset;
            if (left + batch.size() > max_len - 1) {
                size_t remaining = max_len - batch.size() - 1;
                if (is_large) {
                    batch.insert(batch.end(), group.begin() + static_cast<long>(offset),
                                 group.begin() + static_cast<long>(offset + remaining));
                    batch.emplace_back(end, 1.0f);
                    offset += remaining;
                } else {
                    batch.emplace_back(end, 1.0f);
                    batch.insert(batch.end(), remaining, {pad, 1.0f});
                }
                batches.emplace_back();
                batches.back().emplace_back(start, 1.0f);
            } else {
                batch.insert(batch.end(), group.begin() + static_cast<long>(offset), group.end());
                offset = group.size();
            }
        }
    }
    auto& last = batches.back();
    last.emplace_back(end, 1.0f);
    while (last.size() < max_len) last.emplace_back(pad, 1.0f);

    result.chunks = static_cast<int64_t>(batches.size());
    for (const auto& batch : batches) {
        for (const auto& [id, w] : batch) {
            result.ids.push_back(id);
            result.weights.push_back(w);
        }
    }
    return result;
}

}  // namespace sdn
