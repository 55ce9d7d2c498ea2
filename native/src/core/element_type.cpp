#include "core/element_type.h"

#include <cctype>

#include "core/error.h"

namespace sdn {
namespace {

// Block layouts as GGUF stores them (bytes per block of block_elems values):
//   q4_0: f16 d + 16 B of nibbles;                q4_1: f16 d, f16 m + 16 B
//   q5_0: f16 d + 4 B high bits + 16 B nibbles;   q5_1: f16 d, f16 m + 4 B + 16 B
//   q8_0: f16 d + 32 int8
//   K-quants use 256-element super-blocks: q2_K 84 B, q3_K 110 B, q4_K 144 B, q5_K 176 B, q6_K 210 B.
struct Entry {
    DType type;
    DTypeTraits traits;
};

const Entry kTypes[] = {
    {DType::F32, {"f32", 1, 4, false}},    {DType::F16, {"f16", 1, 2, false}},
    {DType::BF16, {"bf16", 1, 2, false}},  {DType::I64, {"i64", 1, 8, false}},
    {DType::Q4_0, {"q4_0", 32, 18, true}}, {DType::Q4_1, {"q4_1", 32, 20, true}},
    {DType::Q5_0, {"q5_0", 32, 22, true}}, {DType::Q5_1, {"q5_1", 32, 24, true}},
    {DType::Q8_0, {"q8_0", 32, 34, true}}, {DType::Q2_K, {"q2_K", 256, 84, true}},
    {DType::Q3_K, {"q3_K", 256, 110, true}}, {DType::Q4_K, {"q4_K", 256, 144, true}},
    {DType::Q5_K, {"q5_K", 256, 176, true}}, {DType::Q6_K, {"q6_K", 256, 210, true}},
};

const Entry* find_entry(int32_t id) {
    for (const auto& e : kTypes)
        if (static_cast<int32_t>(e.type) == id) return &e;
    return nullptr;
}

}  // namespace

const DTypeTraits& dtype_traits(DType t) {
    const Entry* e = find_entry(static_cast<int32_t>(t));
    if (!e) fail(SDN_ERR_FORMAT, "unknown tensor type id " + std::to_string(static_cast<int>(t)));
    return e->traits;
}

bool dtype_known(int32_t ggml_type_id) { return find_entry(ggml_type_id) != nullptr; }

DType dtype_from_name(const std::string& name) {
    std::string lower;
    for (char c : name) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& e : kTypes) {
        std::string n = e.traits.name;
        for (auto& c : n) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (n == lower) return e.type;
    }
    return DType::Invalid;
}

int64_t dtype_row_bytes(DType t, int64_t n) {
    const Entry* e = find_entry(static_cast<int32_t>(t));
    if (!e || n < 0 || n % e->traits.block_elems != 0) return -1;
    return n / e->traits.block_elems * e->traits.block_bytes;
}

}  // namespace sdn
