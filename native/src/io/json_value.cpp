#include "io/json_value.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

#include "core/error.h"
#include "core/utf8.h"

namespace sdn::json {
namespace {

class Parser {
public:
    Parser(std::string_view text, const std::string& what, int max_depth)
        : s_(text), what_(what), max_depth_(max_depth) {}

    Value document() {
        Value v = value(0);
        skip_ws();
        if (pos_ != s_.size()) error("trailing characters after the JSON value");
        return v;
    }

private:
    [[noreturn]] void error(const std::string& problem) {
        fail(SDN_ERR_FORMAT, what_ + ": " + problem + " at byte " + std::to_string(pos_));
    }

    void skip_ws() {
        while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r'))
            ++pos_;
    }

    char peek() {
        skip_ws();
        if (pos_ >= s_.size()) error("unexpected end of JSON");
        return s_[pos_];
    }

    void expect(char c) {
        if (peek() != c) error(std::string("expected '") + c + "'");
        ++pos_;
    }

    bool literal(const char* word) {
        size_t n = std::char_traits<char>::length(word);
        if (s_.substr(pos_, n) == word) {
            pos_ += n;
            return true;
        }
        return false;
    }

    Value value(int depth) {
        if (depth > max_depth_) error("nesting deeper than " + std::to_string(max_depth_));
        // Each value costs ~200 bytes of memory for as little as 2 bytes of text; cap the count
        // so a 100 MB header cannot ask for gigabytes (real headers hold a few thousand).
        if (++values_ > kMaxValues) error("more than " + std::to_string(kMaxValues) + " JSON values");
        char c = peek();
        Value v;
        if (c == '{') {
            v.kind = Value::Kind::Object;
            ++pos_;
            std::set<std::string> keys;
            if (peek() == '}') {
                ++pos_;
                return v;
            }
            for (;;) {
                if (peek() != '"') error("expected a string key");
                std::string key = string_literal();
                if (!keys.insert(key).second) error("duplicate key \"" + key + "\"");
                expect(':');
                v.object.push_back(Member{std::move(key), value(depth + 1)});
                char d = peek();
                ++pos_;
                if (d == '}') break;
                if (d != ',') error("expected ',' or '}'");
            }
        } else if (c == '[') {
            v.kind = Value::Kind::Array;
            ++pos_;
            if (peek() == ']') {
                ++pos_;
                return v;
            }
            for (;;) {
                v.array.push_back(value(depth + 1));
                char d = peek();
                ++pos_;
                if (d == ']') break;
                if (d != ',') error("expected ',' or ']'");
            }
        } else if (c == '"') {
            v.kind = Value::Kind::String;
            v.string = string_literal();
        } else if (literal("true")) {
            v.kind = Value::Kind::Bool;
            v.boolean = true;
        } else if (literal("false")) {
            v.kind = Value::Kind::Bool;
        } else if (literal("null")) {
            v.kind = Value::Kind::Null;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            number(v);
        } else {
            error(std::string("unexpected character '") + c + "'");
        }
        return v;
    }

    void number(Value& v) {
        size_t start = pos_;
        bool integral = true;
        if (s_[pos_] == '-') ++pos_;
        auto digits = [&] {
            size_t d = pos_;
            while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
            if (pos_ == d) error("malformed number");
        };
        digits();
        if (pos_ < s_.size() && s_[pos_] == '.') {
            integral = false;
            ++pos_;
            digits();
        }
        if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
            integral = false;
            ++pos_;
            if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
            digits();
        }
        std::string text(s_.substr(start, pos_ - start));
        v.kind = Value::Kind::Number;
        v.number = std::strtod(text.c_str(), nullptr);
        if (integral && text.size() <= 19) {
            v.is_integer = true;
            errno = 0;
            v.integer = std::strtoll(text.c_str(), nullptr, 10);
            if (errno == ERANGE) error("integer out of range");
        } else if (integral) {
            error("integer out of range");
        }
    }

    uint32_t hex4() {
        if (pos_ + 4 > s_.size()) error("truncated \\u escape");
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            char h = s_[pos_++];
            v <<= 4;
            if (h >= '0' && h <= '9') v |= static_cast<uint32_t>(h - '0');
            else if (h >= 'a' && h <= 'f') v |= static_cast<uint32_t>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') v |= static_cast<uint32_t>(h - 'A' + 10);
            else error("bad \\u escape");
        }
        return v;
    }

    std::string string_literal() {
        ++pos_;  // opening quote
        std::string out;
        for (;;) {
            if (pos_ >= s_.size()) error("unterminated string");
            char c = s_[pos_++];
            if (c == '"') return out;
            if (static_cast<unsigned char>(c) < 0x20) error("control character in string");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= s_.size()) error("unterminated escape");
            char e = s_[pos_++];
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
                    uint32_t cp = hex4();
                    if (cp >= 0xD800 && cp < 0xDC00) {
                        if (pos_ + 2 > s_.size() || s_[pos_] != '\\' || s_[pos_ + 1] != 'u')
                            error("unpaired surrogate");
                        pos_ += 2;
                        uint32_t lo = hex4();
                        if (lo < 0xDC00 || lo > 0xDFFF) error("bad low surrogate");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else if (cp >= 0xDC00 && cp < 0xE000) {
                        error("unpaired surrogate");
                    }
                    append_utf8(cp, out);
                    break;
                }
                default: error("bad escape");
            }
        }
    }

    std::string_view s_;
    const std::string& what_;
    int max_depth_;
    size_t pos_ = 0;
    static constexpr size_t kMaxValues = size_t(1) << 21;
    size_t values_ = 0;
};

}  // namespace

const Value* Value::find(const std::string& key) const {
    for (const auto& [k, v] : object)
        if (k == key) return &v;
    return nullptr;
}

Value parse(std::string_view text, const std::string& what, int max_depth) {
    return Parser(text, what, max_depth).document();
}

}  // namespace sdn::json
