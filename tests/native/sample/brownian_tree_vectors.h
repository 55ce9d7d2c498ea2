// The torchsde reference vectors (spec/brownian-tree-vectors.json in the shared folder),
// read for the seed-sequence, Brownian-tree and noise-sampler tests. Under CI=true a missing
// file fails the test; elsewhere the test is skipped with the reason.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "io/json_value.h"
#include "support/shared_dir.h"

namespace sdn_test {

// The parsed file, or nullptr (with the reason) when it is missing.
inline std::shared_ptr<const sdn::json::Value> brownian_vectors(std::string& why_missing) {
    const std::string dir = shared_dir();
    const std::string path = (dir.empty() ? std::string("<shared folder>") : dir) + "/spec/brownian-tree-vectors.json";
    std::ifstream in(path, std::ios::binary);
    if (dir.empty() || !in) {
        why_missing = "torchsde vectors not found: " + path + " (set SDN_SHARED_DIR)";
        return nullptr;
    }
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    return std::make_shared<const sdn::json::Value>(sdn::json::parse(s, path, 64));
}

// A field that must exist (the test stops with a message otherwise).
inline const sdn::json::Value& field(const sdn::json::Value& v, const char* key) {
    const sdn::json::Value* f = v.find(key);
    if (!f) throw std::runtime_error(std::string("vectors: missing field ") + key);
    return *f;
}

// Integers may be JSON numbers or, from 2^53 on, decimal strings.
inline uint64_t as_u64(const sdn::json::Value& v) {
    if (v.kind == sdn::json::Value::Kind::String) return std::strtoull(v.string.c_str(), nullptr, 10);
    return v.is_integer ? static_cast<uint64_t>(v.integer) : static_cast<uint64_t>(v.number);
}

// "0x4169d569" -> the float with those bits.
inline float f32_from_hex(const sdn::json::Value& v) {
    const uint32_t bits = static_cast<uint32_t>(std::strtoul(v.string.c_str(), nullptr, 16));
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

// Times are Python float reprs in strings.
inline double as_double(const sdn::json::Value& v) {
    return v.kind == sdn::json::Value::Kind::String ? std::strtod(v.string.c_str(), nullptr) : v.number;
}

}  // namespace sdn_test

// At the top of a test: binds `var` to the parsed vectors, or skips / fails (CI=true).
#define SDN_REQUIRE_BROWNIAN_VECTORS(var)                                          \
    std::string var##_missing;                                                    \
    const auto var##_ptr = ::sdn_test::brownian_vectors(var##_missing);           \
    if (!var##_ptr) {                                                             \
        if (::sdn_test::running_in_ci()) FAIL() << var##_missing << " (CI=true)"; \
        GTEST_SKIP() << var##_missing;                                            \
    }                                                                             \
    const sdn::json::Value& var = *var##_ptr;
