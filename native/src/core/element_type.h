// Element types of tensors and stored weights (GGUF's own type ids, block layouts) and the
// host view of a stored weight. They live in core because the backend interface speaks them;
// the row operations on them live in quant/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sdn {

// Values are GGUF's ggml_type ids, so GGUF files map directly.
enum class DType : int32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    I64 = 27,
    BF16 = 30,
    Invalid = -1,
};

struct DTypeTraits {
    const char* name;      // "f16", "q4_K", ... (GGUF / llama.cpp spelling)
    int64_t block_elems;   // elements per block (1 for plain types)
    int64_t block_bytes;   // bytes per block
    bool quantized;
};

// Traits of a type; throws Error(SDN_ERR_FORMAT) for an unknown id.
const DTypeTraits& dtype_traits(DType t);
bool dtype_known(int32_t ggml_type_id);
// Parses "f16", "q8_0", "Q4_K", ... (case-insensitive); Invalid when unknown.
DType dtype_from_name(const std::string& name);

// Bytes needed for n elements (n must be a multiple of the block size); -1 if it is not.
int64_t dtype_row_bytes(DType t, int64_t n);

// A read-only view of a stored weight: PyTorch dimension order (outermost first), data
// usually memory-mapped. Rows are the last dimension: a [N, K] linear weight is N rows of K,
// unless row_length says otherwise.
struct WeightRef {
    DType type = DType::Invalid;
    std::vector<int64_t> shape;
    const void* data = nullptr;
    int64_t nbytes = 0;
    // Elements per stored row when the rows are not the last dimension (0: they are). A
    // quantized [O, C, kh, kw] conv weight whose kw is not a whole block but whose C*kh*kw is
    // stores O rows of C*kh*kw (the row layout conv2d reads), so it can keep its blocks.
    int64_t row_length = 0;

    int64_t elements() const {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        return n;
    }
    int64_t row_elems() const { return row_length > 0 ? row_length : shape.empty() ? 1 : shape.back(); }
    int64_t rows() const { return row_elems() ? elements() / row_elems() : 0; }
    bool valid() const { return data != nullptr && type != DType::Invalid; }
};

}  // namespace sdn
