// Helpers for the kernel tests (run once per cpu variant, support/every_variant.h): random inputs,
// weights stored in a chosen type, and the normalized error used to compare fast kernels
// against the double-precision reference.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

#include "core/context.h"
#include "core/cpu_features.h"
#include "core/error.h"
#include "core/half.h"
#include "quant/dtype.h"
#include "quant/row_ops.h"

namespace sdn_test {

// A context for the variant, announced on stdout so a log shows which kernels ran.
inline std::unique_ptr<sdn::Context> variant_context(sdn_cpu_variant v, int threads = 2) {
    std::printf("[ variant  ] %s, %d threads\n", sdn::cpu_variant_name(v), threads);
    return std::make_unique<sdn::Context>(threads, v);
}

// The bf16 variants (AMX, AVX512-BF16) multiply bfloat16 operands (rounded to nearest, ties to even) with float32
// sums. Its expected values come from the same double reference fed operands rounded that way,
// so the comparison stays as tight as for the float32 variants.
inline bool rounds_products_to_bf16(sdn_cpu_variant v) {
    return v == SDN_CPU_VARIANT_AVX512_AMX || v == SDN_CPU_VARIANT_AVX512_BF16;
}

// Round to the nearest bfloat16 (8 significant bits), ties to even; written out here rather
// than taken from the engine so the test does not check the engine against itself.
inline float round_to_bf16(float f) {
    if (!std::isfinite(f)) return f;
    int exponent = 0;
    const double mantissa = std::frexp(double(f), &exponent);  // f = mantissa * 2^exponent, 0.5 <= |m| < 1
    if (mantissa == 0.0) return f;
    const double scaled = std::ldexp(mantissa, 8);               // 8 significant bits left of the point
    return static_cast<float>(std::ldexp(std::nearbyint(scaled), exponent - 8));  // nearbyint: ties to even
}

// x as the variant's products see it.
inline std::vector<float> product_operand(sdn_cpu_variant v, std::vector<float> x) {
    if (rounds_products_to_bf16(v))
        for (auto& e : x) e = round_to_bf16(e);
    return x;
}

inline std::vector<float> random_vector(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

// A weight held in memory in one of the plain stored types.
struct OwnedWeight {
    std::vector<uint8_t> bytes;
    sdn::WeightRef ref;
};

inline OwnedWeight make_weight(sdn::DType type, std::vector<int64_t> shape, const std::vector<float>& values) {
    OwnedWeight w;
    const size_t n = values.size();
    if (type == sdn::DType::F32) {
        w.bytes.resize(n * 4);
        std::memcpy(w.bytes.data(), values.data(), n * 4);
    } else {
        w.bytes.resize(n * 2);
        for (size_t i = 0; i < n; ++i) {
            uint16_t h = type == sdn::DType::F16 ? sdn::f32_to_f16(values[i]) : sdn::f32_to_bf16(values[i]);
            std::memcpy(w.bytes.data() + 2 * i, &h, 2);
        }
    }
    w.ref.type = type;
    w.ref.shape = std::move(shape);
    w.ref.data = w.bytes.data();
    w.ref.nbytes = static_cast<int64_t>(w.bytes.size());
    return w;
}

// A weight in a GGUF block type holding `values` quantized by the reference quantizer.
inline OwnedWeight quantized_weight(sdn::DType type, std::vector<int64_t> shape, const std::vector<float>& values) {
    OwnedWeight w;
    // One quantized row per outermost index (a conv weight [O, C, k, k] is O rows of C*k*k).
    const int64_t rows = shape.front(), K = static_cast<int64_t>(values.size()) / rows;
    const int64_t row_bytes = sdn::dtype_row_bytes(type, K);
    w.bytes.resize(static_cast<size_t>(rows * row_bytes));
    for (int64_t r = 0; r < rows; ++r)
        sdn::quantize_row_reference(type, values.data() + r * K, w.bytes.data() + r * row_bytes, K);
    w.ref.type = type;
    w.ref.shape = std::move(shape);
    w.ref.data = w.bytes.data();
    w.ref.nbytes = static_cast<int64_t>(w.bytes.size());
    return w;
}

// The weight the reference should multiply by for this variant: w itself, or (AMX) its decoded
// values rounded to bfloat16, stored as f32. `decoded` are w's values as stored (after any
// f16/bf16/quantized rounding of the original values).
inline OwnedWeight product_weight(sdn_cpu_variant v, const OwnedWeight& w, const std::vector<float>& decoded) {
    if (!rounds_products_to_bf16(v)) return w;
    return make_weight(sdn::DType::F32, w.ref.shape, product_operand(v, decoded));
}

// The values a plainly stored weight holds, decoded to f32.
inline std::vector<float> stored_values(const OwnedWeight& w) {
    const size_t n = w.ref.type == sdn::DType::F32 ? w.bytes.size() / 4 : w.bytes.size() / 2;
    std::vector<float> out(n);
    for (size_t i = 0; i < n; ++i) {
        if (w.ref.type == sdn::DType::F32) {
            std::memcpy(&out[i], w.bytes.data() + 4 * i, 4);
        } else {
            uint16_t h;
            std::memcpy(&h, w.bytes.data() + 2 * i, 2);
            out[i] = w.ref.type == sdn::DType::F16 ? sdn::f16_to_f32(h) : sdn::bf16_to_f32(h);
        }
    }
    return out;
}

inline const char* dtype_label(sdn::DType t) {
    return t == sdn::DType::F32 ? "f32" : t == sdn::DType::F16 ? "f16" : t == sdn::DType::BF16 ? "bf16" : "quant";
}

// max |got - want| / max |want|: the error relative to the output's scale.
inline double normalized_error(const std::vector<float>& got, const std::vector<float>& want) {
    double err = 0.0, scale = 0.0;
    for (size_t i = 0; i < want.size(); ++i) {
        if (!std::isfinite(got[i])) return INFINITY;
        err = std::max(err, std::abs(double(got[i]) - want[i]));
        scale = std::max(scale, std::abs(double(want[i])));
    }
    return scale > 0 ? err / scale : err;
}

}  // namespace sdn_test
