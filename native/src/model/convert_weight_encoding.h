// Encoding float32 values into a stored weight type, row by row (used by the test-model
// writer and the converter).
#pragma once

#include <cstdint>
#include <vector>

#include "quant/dtype.h"

namespace sdn {

// n values in rows of row_len -> bytes of type (f32, f16, bf16, q8_0, q4_0, ...).
std::vector<uint8_t> encode_weight(const float* values, int64_t n, int64_t row_len, DType type);

}  // namespace sdn
