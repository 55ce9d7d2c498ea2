// Row operations: argument checks, the reference versions of dot and conversions, and the
// dispatch to a SIMD variant's kernels. A variant is only used when asked for; callers pass
// ctx.cpu_variant(), which the context has already checked against the CPU.
#include "quant/row_ops.h"

#include <string>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "quant/block_kernels.h"

namespace sdn {
namespace {

const quant::FastRowKernels* fast_kernels(sdn_cpu_variant v) {
#if defined(__x86_64__) || defined(_M_X64)
    if (v == SDN_CPU_VARIANT_AVX512 || v == SDN_CPU_VARIANT_AVX512_AMX || v == SDN_CPU_VARIANT_AVX512_BF16)
        return &quant::avx512_row_kernels();
    if (v == SDN_CPU_VARIANT_AVX2) return &quant::avx2_row_kernels();
#endif
    return nullptr;
}

void require_block_multiple(DType t, int64_t n, const char* what) {
    const DTypeTraits& tr = dtype_traits(t);
    SDN_REQUIRE(n >= 0 && n % tr.block_elems == 0, SDN_ERR_INVALID_ARGUMENT,
                std::string(what) + ": " + std::to_string(n) + " values is not a multiple of the " + tr.name +
                    " block size " + std::to_string(tr.block_elems));
}

}  // namespace

void dequantize_row(DType t, const void* src, float* dst, int64_t n, sdn_cpu_variant v) {
    require_block_multiple(t, n, "dequantize");
    if (const quant::FastRowKernels* k = fast_kernels(v)) {
        const auto* p = static_cast<const uint8_t*>(src);
        if (t == DType::F16) return k->f16_to_f32(reinterpret_cast<const uint16_t*>(p), dst, n);
        if (t == DType::BF16) return k->bf16_to_f32(reinterpret_cast<const uint16_t*>(p), dst, n);
        if (k->dequantize(t, p, dst, n)) return;
    }
    dequantize_row_reference(t, src, dst, n);
}

void quantize_row(DType t, const float* src, void* dst, int64_t n) {
    // Quantization runs once per weight at conversion time; the reference is fast enough and
    // gives the same bytes on every machine.
    quantize_row_reference(t, src, dst, n);
}

double vec_dot_row_reference(DType t, const void* row, const float* x, int64_t n) {
    require_block_multiple(t, n, "vec_dot");
    const DTypeTraits& tr = dtype_traits(t);
    const auto* p = static_cast<const uint8_t*>(row);
    // One block (or 256 plain values) at a time so a long row needs no row-sized buffer.
    const int64_t chunk = tr.quantized ? tr.block_elems : 256;
    float buf[256];
    double sum = 0;
    for (int64_t i = 0; i < n; i += chunk) {
        const int64_t m = std::min<int64_t>(chunk, n - i);
        dequantize_row_reference(t, p + dtype_row_bytes(t, i), buf, m);
        for (int64_t j = 0; j < m; ++j) sum += static_cast<double>(buf[j]) * static_cast<double>(x[i + j]);
    }
    return sum;
}

float vec_dot_row(DType t, const void* row, const float* x, int64_t n, sdn_cpu_variant v) {
    const quant::FastRowKernels* k = fast_kernels(v);
    if (!k) return static_cast<float>(vec_dot_row_reference(t, row, x, n));
    require_block_multiple(t, n, "vec_dot");
    const auto* p = static_cast<const uint8_t*>(row);
    if (t == DType::F32) return k->dot(reinterpret_cast<const float*>(p), x, n);
    // Expand 256 values at a time (a multiple of every block size) and dot them in SIMD.
    alignas(64) float buf[256];
    float sum = 0;
    for (int64_t i = 0; i < n; i += 256) {
        const int64_t m = std::min<int64_t>(256, n - i);
        dequantize_row(t, p + dtype_row_bytes(t, i), buf, m, v);
        sum += k->dot(buf, x + i, m);
    }
    return sum;
}

void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n, sdn_cpu_variant v) {
    if (const quant::FastRowKernels* k = fast_kernels(v)) return k->f16_to_f32(src, dst, n);
    for (int64_t i = 0; i < n; ++i) dst[i] = f16_to_f32(src[i]);
}

void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n, sdn_cpu_variant v) {
    if (const quant::FastRowKernels* k = fast_kernels(v)) return k->f32_to_f16(src, dst, n);
    for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_f16(src[i]);
}

void bf16_to_f32_row(const uint16_t* src, float* dst, int64_t n, sdn_cpu_variant v) {
    if (const quant::FastRowKernels* k = fast_kernels(v)) return k->bf16_to_f32(src, dst, n);
    for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(src[i]);
}

void f32_to_bf16_row(const float* src, uint16_t* dst, int64_t n, sdn_cpu_variant v) {
    if (const quant::FastRowKernels* k = fast_kernels(v)) return k->f32_to_bf16(src, dst, n);
    for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_bf16(src[i]);
}

}  // namespace sdn
