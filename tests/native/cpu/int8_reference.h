// Expected values for the integer products of q8_0/q4_0 weights (cpu/gemm_int8.h), written here
// from the rule rather than taken from the engine: the float operand is quantized per 32-block
// along K (d = max|x| / 127 in float, q = x * (127 / max|x|) rounded to nearest, ties to even),
// and every output is a dot product of one activation row (a linear input row, or a conv
// output pixel's im2col column) with one weight row, summed in double.
//
// Two bounds, per output element:
//   - against a reference fed the same quantized activations: the integer block sums are exact
//     and float32 rounds only the scale product (d_a * d_w) and one FMA per block, so
//     |err| <= (blocks + 3) * 2^-24 * sum_k |x'_k w_k|;
//   - against the unquantized activations: |x_k - x'_k| <= d / 2 (nearest rounding of x / d),
//     loosened by the float rounding of d and of x * (127 / max|x|) (relative 2^-23 each, on a
//     value <= 127.5: under 1e-4 of a step), so |err| <= sum over blocks (d_b / 2)(1 + 1e-3)
//     sum_{k in b} |w_k|, plus the first bound.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

namespace sdn_test::int8_ref {

constexpr int kBlock = 32;

// Quantized rows: x' = q * d per element (in double) and d per block.
struct QuantizedRows {
    std::vector<double> values;  // [rows][K]
    std::vector<double> steps;   // [rows][K / 32]
};

inline QuantizedRows quantize_rows(const std::vector<float>& x, int64_t rows, int64_t K) {
    QuantizedRows out{std::vector<double>(x.size()), std::vector<double>(static_cast<size_t>(rows * (K / kBlock)))};
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t b = 0; b < K / kBlock; ++b) {
            const float* blk = x.data() + r * K + b * kBlock;
            float amax = 0.0f;
            for (int k = 0; k < kBlock; ++k) amax = std::fmax(amax, std::fabs(blk[k]));
            const float d = amax / 127.0f, inv = amax > 0.0f ? 127.0f / amax : 0.0f;
            out.steps[r * (K / kBlock) + b] = d;
            for (int k = 0; k < kBlock; ++k) {
                const float scaled = blk[k] * inv;
                out.values[r * K + b * kBlock + k] = static_cast<double>(std::nearbyint(scaled)) * d;
            }
        }
    return out;
}

// im2col of a [B, C, H, W] input: row p (pixel p % (Ho*Wo) of image p / (Ho*Wo)) holds the
// C*k*k input values (c, ky, kx order) that output pixel sees; padding reads as 0.
inline std::vector<float> im2col(const std::vector<float>& x, int64_t B, int64_t C, int64_t H, int64_t W, int64_t k,
                                 int64_t stride, int64_t pad, int64_t& Ho, int64_t& Wo) {
    Ho = (H + 2 * pad - k) / stride + 1;
    Wo = (W + 2 * pad - k) / stride + 1;
    const int64_t K = C * k * k;
    std::vector<float> cols(static_cast<size_t>(B * Ho * Wo * K), 0.0f);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t oy = 0; oy < Ho; ++oy)
            for (int64_t ox = 0; ox < Wo; ++ox)
                for (int64_t c = 0; c < C; ++c)
                    for (int64_t ky = 0; ky < k; ++ky)
                        for (int64_t kx = 0; kx < k; ++kx) {
                            const int64_t iy = oy * stride + ky - pad, ix = ox * stride + kx - pad;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                            cols[((b * Ho + oy) * Wo + ox) * K + (c * k + ky) * k + kx] =
                                x[((b * C + c) * H + iy) * W + ix];
                        }
    return cols;
}

// Expected value and allowed error of one output: activation row a (K values, quantized as q),
// weight row w (dequantized).
struct Expected {
    double value, bound;
};

// With the same quantized activations.
inline Expected same_quantized(const QuantizedRows& q, int64_t row, const float* w, int64_t K) {
    double sum = 0.0, magnitude = 0.0;
    for (int64_t k = 0; k < K; ++k) {
        const double p = q.values[row * K + k] * w[k];
        sum += p;
        magnitude += std::fabs(p);
    }
    return {sum, (K / kBlock + 3) * std::ldexp(1.0, -24) * magnitude + 1e-30};
}

// With the unquantized activations x: the quantization bound on top of the float one.
inline Expected unquantized(const std::vector<float>& x, const QuantizedRows& q, int64_t row, const float* w,
                            int64_t K) {
    Expected e = same_quantized(q, row, w, K);
    double exact = 0.0;
    for (int64_t k = 0; k < K; ++k) exact += static_cast<double>(x[row * K + k]) * w[k];
    for (int64_t b = 0; b < K / kBlock; ++b) {
        double weight_mass = 0.0;
        for (int k = 0; k < kBlock; ++k) weight_mass += std::fabs(w[b * kBlock + k]);
        e.bound += q.steps[row * (K / kBlock) + b] / 2 * (1 + 1e-3) * weight_mass;
    }
    e.value = exact;
    return e;
}

}  // namespace sdn_test::int8_ref
