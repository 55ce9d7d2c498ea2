// Row-level operations on stored weights: expand to f32, quantize from f32, dot with f32
// activations, and bulk f16/bf16 conversions. Every function has a plain reference version;
// the variant-taking versions pick an AVX2 / AVX-512 path when asked for one (callers pass
// ctx.cpu_variant(), which is only ever a variant the CPU supports).
#pragma once

#include <cstdint>

#include "quant/dtype.h"
#include "sdnative.h"

namespace sdn {
// Expands n elements (n a multiple of the type's block size) of one stored row to f32.
void dequantize_row(DType t, const void* src, float* dst, int64_t n, sdn_cpu_variant v);
// Plain scalar version, the reference the fast paths are tested against.
void dequantize_row_reference(DType t, const void* src, float* dst, int64_t n);
// Quantizes n f32 values into the type's blocks (reference = plain round-to-nearest as the GGUF tools do it; fast may use SIMD but must give identical bytes for q8_0/q4_0/q4_1/q5_x and error no worse for K-quants).
void quantize_row(DType t, const float* src, void* dst, int64_t n);
void quantize_row_reference(DType t, const float* src, void* dst, int64_t n);
// Dot product of one stored row with f32 activations x[n].
float vec_dot_row(DType t, const void* row, const float* x, int64_t n, sdn_cpu_variant v);
double vec_dot_row_reference(DType t, const void* row, const float* x, int64_t n);
// Bulk f16/bf16 <-> f32 conversions (SIMD where the variant allows).
void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n, sdn_cpu_variant v);
void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n, sdn_cpu_variant v);
void bf16_to_f32_row(const uint16_t* src, float* dst, int64_t n, sdn_cpu_variant v);
void f32_to_bf16_row(const float* src, uint16_t* dst, int64_t n, sdn_cpu_variant v);
}  // namespace sdn
