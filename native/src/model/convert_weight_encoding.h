// Encoding float32 values into a stored weight type, row by row (used by the test-model
// writer and the converter).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "quant/dtype.h"

namespace sdn {

// The types convert and make-test-model write, in the order the CLI lists them.
const std::vector<DType>& writable_weight_types();

// Throws Error(SDN_ERR_UNSUPPORTED) naming the valid types unless type is one of them;
// `what` starts the message ("converting to").
void require_writable_weight_type(DType type, const std::string& what);

// Parses a type name the CLI lists ("q4_K", case-insensitive); throws naming the valid ones.
DType writable_weight_type_from_name(const std::string& name);

// n values in rows of row_len -> bytes of type; rows must be whole blocks of the type.
std::vector<uint8_t> encode_weight(const float* values, int64_t n, int64_t row_len, DType type);

}  // namespace sdn
