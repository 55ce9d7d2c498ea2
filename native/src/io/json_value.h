// A small strict JSON reader for file headers (safetensors). Bounded: input length is the
// caller's (already checked) header size, nesting depth is limited, numbers are checked.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sdn::json {

struct Member;

struct Value {
    enum class Kind { Null, Bool, Number, String, Array, Object };
    Kind kind = Kind::Null;
    bool boolean = false;
    double number = 0;
    bool is_integer = false;
    int64_t integer = 0;
    std::string string;
    std::vector<Value> array;
    // Object members in file order (duplicates are rejected while parsing).
    // (A named struct, not std::pair: pair<string, Value> inside Value trips clang with
    // libstdc++, which needs pair's members complete.)
    std::vector<Member> object;

    const Value* find(const std::string& key) const;
};

struct Member {
    std::string key;
    Value value;
};

// Throws Error(SDN_ERR_FORMAT, "<what>: <problem> at byte N").
Value parse(std::string_view text, const std::string& what, int max_depth = 64);

}  // namespace sdn::json
