// Worst-case error of storing a weight in a narrower type, from each format's definition (not
// from our quantizer), and a model whose weights carry errors of exactly that size.
//
// Per element, round to nearest:
//   f16   |dw| <= 2^-11 |w| (11 significant bits), 2^-25 below the normal range
//   bf16  |dw| <= 2^-8 |w| (8 significant bits)
//   q8_0  blocks of 32 along a row: d = max|w| / 127, w ~ q d with q in [-127, 127]:
//         |dw| <= d/2, plus the scale's own f16 rounding: |q| d 2^-11 <= 127 d 2^-11
//   q4_0  d = max|w| / 8 (sign of the largest-magnitude element), q in [-8, 7]: |dw| <= d/2,
//         except beyond the grid's short end (|w| > 7.5 d on the other side), where the value
//         clamps to 7 d and |dw| <= |w| - 7 d <= d; plus |q| d 2^-11 <= 8 d 2^-11
// How such errors reach the output depends on the network, so the bound is propagated through
// it rather than estimated: every weight moved by its full worst-case error with a random sign,
// evaluated in float32. Rounding errors are at most that large per element (and spread
// uniformly below it, so their RMS is about 1/sqrt(3) of it), and the output error of many
// independent small weight errors grows with their RMS: a correctly stored file lands well
// inside the perturbed model's error.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "model/test_model_writer.h"

namespace unet_test {

// The worst-case per-element error of storing t as `stored`.
inline std::vector<double> rounding_error_bounds(const sdn::TestTensor& t, sdn::DType stored) {
    const std::vector<float>& w = t.values;
    std::vector<double> bound(w.size(), 0.0);
    if (stored == sdn::DType::F16 || stored == sdn::DType::BF16) {
        const bool f16 = stored == sdn::DType::F16;
        const double u = std::ldexp(1.0, f16 ? -11 : -8);
        for (size_t i = 0; i < w.size(); ++i)
            bound[i] = std::max(u * std::fabs(w[i]), f16 ? std::ldexp(1.0, -25) : 0.0);
    } else if (stored == sdn::DType::Q8_0 || stored == sdn::DType::Q4_0) {
        const bool q8 = stored == sdn::DType::Q8_0;
        for (size_t b = 0; b + 32 <= w.size(); b += 32) {
            float amax = 0, signed_max = 0;
            for (size_t i = b; i < b + 32; ++i)
                if (std::fabs(w[i]) > amax) amax = std::fabs(w[i]), signed_max = w[i];
            const double d = amax / (q8 ? 127.0 : 8.0);
            const double scale_rounding = (q8 ? 127.0 : 8.0) * d * std::ldexp(1.0, -11);
            for (size_t i = b; i < b + 32; ++i) {
                const bool short_side = (w[i] > 0) != (signed_max > 0);
                const double a = std::fabs(w[i]);
                bound[i] = (!q8 && short_side && a > 7.5 * d ? a - 7 * d : d / 2) + scale_rounding;
            }
        }
    }
    return bound;  // f32: stored exactly
}

// The tensors with every weight moved by its worst-case error for `type` (each tensor in the
// type the test-model writer gives it, sdn::storage_type_for), signs from a fixed generator.
inline std::vector<sdn::TestTensor> worst_case_rounded(std::vector<sdn::TestTensor> tensors, sdn::DType type) {
    uint32_t state = 12345;
    for (auto& t : tensors) {
        if (t.is_i64) continue;
        const auto bound = rounding_error_bounds(t, sdn::storage_type_for(t.name, t.shape, type));
        for (size_t i = 0; i < t.values.size(); ++i) {
            state = state * 1664525u + 1013904223u;
            t.values[i] += static_cast<float>((state >> 31) ? bound[i] : -bound[i]);
        }
    }
    return tensors;
}

}  // namespace unet_test
