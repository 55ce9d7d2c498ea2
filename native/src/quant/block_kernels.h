// Internal: per-block kernels and the per-variant fast row functions (quant/ only).
#pragma once

#include <cstdint>

#include "quant/dtype.h"

namespace sdn::quant {

using BlockDequantFn = void (*)(const uint8_t* block, float* out);
using BlockQuantFn = void (*)(const float* in, uint8_t* block);

// Scalar reference kernels for one block (nullptr for plain types).
BlockDequantFn reference_block_dequant(DType t);
BlockQuantFn reference_block_quant(DType t);

// A SIMD variant's row functions. dequant returns false when it has no path for the type
// (the caller then uses the reference); the conversions and dot handle any n.
struct FastRowKernels {
    bool (*dequantize)(DType t, const uint8_t* src, float* dst, int64_t n);
    void (*f16_to_f32)(const uint16_t* src, float* dst, int64_t n);
    void (*f32_to_f16)(const float* src, uint16_t* dst, int64_t n);
    void (*bf16_to_f32)(const uint16_t* src, float* dst, int64_t n);
    void (*f32_to_bf16)(const float* src, uint16_t* dst, int64_t n);
    float (*dot)(const float* a, const float* b, int64_t n);
};

const FastRowKernels& avx2_row_kernels();
const FastRowKernels& avx512_row_kernels();

}  // namespace sdn::quant
