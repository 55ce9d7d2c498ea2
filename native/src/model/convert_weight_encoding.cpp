// Row-wise encoding of float32 weights into stored types. Every type goes through the one
// tested quantizer in quant/ (quantize_row_reference), so converted files, test models and the
// quantizer's own tests agree byte for byte.
#include "model/convert_weight_encoding.h"

#include <string>

#include "core/error.h"
#include "quant/row_ops.h"

namespace sdn {

const std::vector<DType>& writable_weight_types() {
    static const std::vector<DType> types = {DType::F32,  DType::F16,  DType::BF16, DType::Q8_0, DType::Q5_0,
                                             DType::Q5_1, DType::Q4_0, DType::Q4_1, DType::Q6_K, DType::Q5_K,
                                             DType::Q4_K, DType::Q3_K, DType::Q2_K};
    return types;
}

namespace {

std::string writable_type_names() {
    std::string names;
    for (DType t : writable_weight_types()) names += (names.empty() ? "" : ", ") + std::string(dtype_traits(t).name);
    return names;
}

}  // namespace

void require_writable_weight_type(DType type, const std::string& what) {
    for (DType t : writable_weight_types())
        if (t == type) return;
    const std::string name = type == DType::Invalid ? "this type" : dtype_traits(type).name;
    fail(SDN_ERR_UNSUPPORTED, what + " " + name + " is not supported (one of " + writable_type_names() + ")");
}

DType writable_weight_type_from_name(const std::string& name) {
    const DType t = dtype_from_name(name);
    SDN_REQUIRE(t != DType::Invalid, SDN_ERR_INVALID_ARGUMENT,
                "unknown weight type '" + name + "' (one of " + writable_type_names() + ")");
    require_writable_weight_type(t, "weight type");
    return t;
}

std::vector<uint8_t> encode_weight(const float* values, int64_t n, int64_t row_len, DType type) {
    require_writable_weight_type(type, "writing weights of type");
    const DTypeTraits& tr = dtype_traits(type);
    SDN_REQUIRE(row_len > 0 && n % row_len == 0 && row_len % tr.block_elems == 0, SDN_ERR_INVALID_ARGUMENT,
                std::string(tr.name) + " rows must be whole " + std::to_string(tr.block_elems) +
                    "-value blocks (row of " + std::to_string(row_len) + ")");
    std::vector<uint8_t> out(static_cast<size_t>(dtype_row_bytes(type, n)));
    quantize_row_reference(type, values, out.data(), n);
    return out;
}

}  // namespace sdn
