#include "io/gguf_original_shape.h"

#include "core/error.h"
#include "core/half.h"
#include "quant/row_ops.h"

namespace sdn {

std::string gguf_original_shape_key(const std::string& tensor_name) {
    return "comfy.gguf.orig_shape." + tensor_name;
}

namespace {

bool is_integer(MetaValue::Kind k) {
    using K = MetaValue::Kind;
    return k == K::I32 || k == K::U32 || k == K::I64 || k == K::U64 || k == K::I16 || k == K::U16;
}

int64_t integer_of(const MetaValue& v) {
    using K = MetaValue::Kind;
    return v.kind == K::U32 || v.kind == K::U64 || v.kind == K::U16 ? static_cast<int64_t>(v.u) : v.i;
}

}  // namespace

void apply_gguf_original_shape(const std::map<std::string, MetaValue>& metadata, TensorEntry& entry,
                               std::vector<std::vector<uint16_t>>& converted) {
    const auto it = metadata.find(gguf_original_shape_key(entry.name));
    if (it == metadata.end()) return;
    const MetaValue& value = it->second;
    const std::string what = "tensor '" + entry.name + "': " + it->first;
    SDN_REQUIRE(value.kind == MetaValue::Kind::Array && is_integer(value.array_kind) &&
                    !value.array.empty() && value.array.size() <= 4,
                SDN_ERR_FORMAT, what + " is not an integer array of 1 to 4 dimensions");
    std::vector<int64_t> shape;
    int64_t count = 1;
    for (const MetaValue& d : value.array) {
        const int64_t n = integer_of(d);
        SDN_REQUIRE(n > 0 && n <= (int64_t(1) << 40) && count <= (int64_t(1) << 48) / n, SDN_ERR_FORMAT,
                    what + " holds the impossible dimension " + std::to_string(n));
        shape.push_back(n);
        count *= n;
    }
    WeightRef& ref = entry.ref;
    SDN_REQUIRE(count == ref.elements(), SDN_ERR_FORMAT,
                what + " holds " + std::to_string(count) + " values but the tensor stores " +
                    std::to_string(ref.elements()));
    const DTypeTraits& traits = dtype_traits(ref.type);
    if (shape.back() % traits.block_elems == 0) {
        ref.shape = std::move(shape);
        return;
    }
    // A convolution [O, C, kh, kw] is read as O rows of C*kh*kw (conv2d's W[O, C*k*k]); when
    // those rows are whole blocks the flat [n/256, 256] bytes already are O rows of blocks,
    // so the weight keeps its type (and the integer products) under its own shape.
    const int64_t outer_row = count / shape.front();
    if (shape.size() > 2 && outer_row % traits.block_elems == 0) {
        ref.shape = std::move(shape);
        ref.row_length = outer_row;
        return;
    }
    // Rows of the original shape would start inside a block: expand to f16, row by row of
    // the stored [n/256, 256] layout.
    std::vector<uint16_t> half(static_cast<size_t>(count));
    const int64_t stored_row = ref.row_elems();
    const int64_t row_bytes = dtype_row_bytes(ref.type, stored_row);
    std::vector<float> row(static_cast<size_t>(stored_row));
    const auto* src = static_cast<const uint8_t*>(ref.data);
    for (int64_t r = 0; r < ref.rows(); ++r) {
        dequantize_row_reference(ref.type, src + r * row_bytes, row.data(), stored_row);
        for (int64_t k = 0; k < stored_row; ++k) half[static_cast<size_t>(r * stored_row + k)] = f32_to_f16(row[static_cast<size_t>(k)]);
    }
    converted.push_back(std::move(half));
    ref.type = DType::F16;
    ref.shape = std::move(shape);
    ref.data = converted.back().data();
    ref.nbytes = count * 2;
}

}  // namespace sdn
