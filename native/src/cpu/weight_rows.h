// Reading stored weights as float32, a piece of a row at a time, so kernels can convert just
// the tile they are about to use (weights stay f16/bf16/quantized in memory).
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/kernel_table.h"
#include "quant/dtype.h"

namespace sdn::cpu {

// Elements per storage block (1 for f32/f16/bf16, 32 or 256 for block quants). Tiles along a
// row must start at a multiple of this.
int64_t weight_block_elems(DType type);

// Throws Error(SDN_ERR_UNSUPPORTED) when this build cannot read `w`'s type, and
// Error(SDN_ERR_INVALID_ARGUMENT) when w is empty.
void require_readable_weight(const WeightRef& w, const char* what);

// dst[0, n) = w.row(row)[k0, k0 + n) as float32. k0 must be a multiple of
// weight_block_elems(w.type); n too unless k0 + n is the row end.
void weight_row_f32(const KernelTable& kt, const WeightRef& w, int64_t row, int64_t k0, int64_t n,
                    float* dst);

// A whole small weight (a bias, a norm scale) as float32.
std::vector<float> weight_vector_f32(const KernelTable& kt, const WeightRef& w);

}  // namespace sdn::cpu
