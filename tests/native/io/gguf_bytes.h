// Builds GGUF files byte by byte in tests, independently of the engine's writer, so reader
// tests can produce exactly the (broken) layouts they need.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace io_test {

class GgufBytes {
public:
    std::vector<uint8_t> bytes;

    GgufBytes& raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
        return *this;
    }
    template <typename T>
    GgufBytes& pod(T v) {
        return raw(&v, sizeof v);
    }
    GgufBytes& u32(uint32_t v) { return pod(v); }
    GgufBytes& u64(uint64_t v) { return pod(v); }
    GgufBytes& str(const std::string& s) {
        u64(s.size());
        return raw(s.data(), s.size());
    }
    // "GGUF", version, tensor count, KV count.
    GgufBytes& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
        raw("GGUF", 4);
        u32(version);
        u64(n_tensors);
        return u64(n_kv);
    }
    GgufBytes& kv_u32(const std::string& key, uint32_t v) { return str(key).u32(4).u32(v); }
    GgufBytes& kv_string(const std::string& key, const std::string& v) { return str(key).u32(8).str(v); }
    // Tensor info with GGUF-order dims (innermost first).
    GgufBytes& tensor(const std::string& name, std::vector<uint64_t> ne, uint32_t type, uint64_t offset) {
        str(name).u32(static_cast<uint32_t>(ne.size()));
        for (uint64_t d : ne) u64(d);
        return u32(type).u64(offset);
    }
    GgufBytes& pad(size_t alignment) {
        while (bytes.size() % alignment) bytes.push_back(0);
        return *this;
    }
    GgufBytes& zeros(size_t n) {
        bytes.resize(bytes.size() + n, 0);
        return *this;
    }
};

}  // namespace io_test
