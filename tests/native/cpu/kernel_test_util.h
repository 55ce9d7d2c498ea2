// Helpers for the kernel tests: every cpu variant this machine supports, random inputs,
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

namespace sdn_test {

// The variants to test here: all that the CPU supports (scalar always).
inline std::vector<sdn_cpu_variant> test_variants() {
    std::vector<sdn_cpu_variant> out;
    for (sdn_cpu_variant v : {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512})
        if (sdn::cpu_variant_supported(v)) out.push_back(v);
    return out;
}

// A context for the variant, announced on stdout so a log shows which kernels ran.
inline std::unique_ptr<sdn::Context> variant_context(sdn_cpu_variant v, int threads = 2) {
    std::printf("[ variant  ] %s, %d threads\n", sdn::cpu_variant_name(v), threads);
    return std::make_unique<sdn::Context>(threads, v);
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
