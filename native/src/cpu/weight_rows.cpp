#include "cpu/weight_rows.h"

#include <cstring>
#include <string>

#include "core/error.h"

#include "quant/row_ops.h"

namespace sdn::cpu {

namespace {

bool plain_type(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

int64_t plain_elem_bytes(DType t) { return t == DType::F32 ? 4 : 2; }

}  // namespace

int64_t weight_block_elems(DType type) {
    if (plain_type(type)) return 1;
    switch (type) {
        case DType::Q4_0: case DType::Q4_1: case DType::Q5_0: case DType::Q5_1: case DType::Q8_0:
            return 32;
        default:
            return 256;
    }
}

void require_readable_weight(const WeightRef& w, const char* what) {
    SDN_REQUIRE(w.valid(), SDN_ERR_INVALID_ARGUMENT, std::string(what) + ": weight has no data");
    if (plain_type(w.type)) return;
    const DTypeTraits& tr = dtype_traits(w.type);
    SDN_REQUIRE(tr.quantized && w.row_elems() % tr.block_elems == 0, SDN_ERR_UNSUPPORTED,
                std::string(what) + ": weight type " + tr.name + " cannot be used here");
}

void weight_row_f32(const KernelTable& kt, const WeightRef& w, int64_t row, int64_t k0, int64_t n,
                    float* dst) {
    const int64_t K = w.row_elems();
    if (plain_type(w.type)) {
        const char* base = static_cast<const char*>(w.data) + (row * K + k0) * plain_elem_bytes(w.type);
        if (w.type == DType::F32)
            std::memcpy(dst, base, static_cast<size_t>(n) * 4);
        else if (w.type == DType::F16)
            f16_to_f32_row(reinterpret_cast<const uint16_t*>(base), dst, n, kt.variant);
        else
            bf16_to_f32_row(reinterpret_cast<const uint16_t*>(base), dst, n, kt.variant);
        return;
    }
    const DTypeTraits& tr = dtype_traits(w.type);
    const int64_t row_bytes = K / tr.block_elems * tr.block_bytes;
    const char* base = static_cast<const char*>(w.data) + row * row_bytes + k0 / tr.block_elems * tr.block_bytes;
    // Dequantize whole blocks; the caller's n is a block multiple except at the row end,
    // where the row length itself is a block multiple.
    dequantize_row(w.type, base, dst, n, kt.variant);
}

std::vector<float> weight_vector_f32(const KernelTable& kt, const WeightRef& w) {
    require_readable_weight(w, "weight vector");
    std::vector<float> out(static_cast<size_t>(w.elements()));
    const int64_t rows = w.rows(), K = w.row_elems();
    for (int64_t r = 0; r < rows; ++r) weight_row_f32(kt, w, r, 0, K, out.data() + r * K);
    return out;
}

}  // namespace sdn::cpu
