// Row kernels shared by every cpu variant: plain loops the compiler vectorises for whatever
// instruction set the including file is compiled for (scalar baseline, AVX2, AVX-512).
// Included inside a per-variant namespace (sdn::cpu::<variant>), so each variant gets its
// own copies and no function leaks across instruction sets. Needs <bit>, <cmath>, <cstdint>.

#include "cpu/vector_math.h"

inline void vk_silu(float* __restrict x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * vm_sigmoid(x[i]);
}

inline void vk_gelu_erf(float* __restrict x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + vm_erf(x[i] * 0.70710678118654752f));
}

inline void vk_gelu_tanh(float* __restrict x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) {
        float v = x[i];
        float u = 0.79788456080286536f * (v + 0.044715f * v * v * v);
        x[i] = 0.5f * v * (1.0f + vm_tanh(u));
    }
}

inline void vk_quick_gelu(float* __restrict x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = x[i] * vm_sigmoid(1.702f * x[i]);
}

inline void vk_geglu_row(const float* __restrict x, int64_t d, float* __restrict y) {
    const float* gate = x + d;
    for (int64_t i = 0; i < d; ++i) {
        float g = gate[i];
        y[i] = x[i] * (0.5f * g * (1.0f + vm_erf(g * 0.70710678118654752f)));
    }
}

inline float vk_row_max(const float* __restrict x, int64_t n) {
    // Eight running maxima so the loop vectorises without reassociation flags.
    float m[16];
    for (int j = 0; j < 16; ++j) m[j] = -INFINITY;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j) m[j] = x[i + j] > m[j] ? x[i + j] : m[j];
    float r = -INFINITY;
    for (int j = 0; j < 16; ++j) r = m[j] > r ? m[j] : r;
    for (; i < n; ++i) r = x[i] > r ? x[i] : r;
    return r;
}

inline float vk_exp_shifted_sum(float* __restrict x, int64_t n, float shift) {
    float s[16] = {};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j) {
            float e = vm_exp(x[i + j] - shift);
            x[i + j] = e;
            s[j] += e;
        }
    float total = 0.0f;
    for (; i < n; ++i) {
        x[i] = vm_exp(x[i] - shift);
        total += x[i];
    }
    for (int j = 0; j < 16; ++j) total += s[j];
    return total;
}

inline void vk_scale_row(float* __restrict x, int64_t n, float s) {
    for (int64_t i = 0; i < n; ++i) x[i] *= s;
}

inline void vk_softmax_row(float* x, int64_t n) {
    if (n <= 0) return;
    float m = vk_row_max(x, n);
    if (m == -INFINITY) {  // every entry masked: define the result as uniform zeros
        for (int64_t i = 0; i < n; ++i) x[i] = 0.0f;
        return;
    }
    float sum = vk_exp_shifted_sum(x, n, m);
    vk_scale_row(x, n, 1.0f / sum);
}

// Sums in 16 float lanes over chunks of at most 1024 values, then in double, so long rows
// (group norm over a million values) keep ~1e-7 relative accuracy.
inline void vk_sum_and_centered_squares(const float* __restrict x, int64_t n, float center,
                                        double* sum, double* sq) {
    double total = 0.0, total_sq = 0.0;
    for (int64_t c0 = 0; c0 < n; c0 += 1024) {
        int64_t c1 = c0 + 1024 < n ? c0 + 1024 : n;
        float s[16] = {}, q[16] = {};
        int64_t i = c0;
        for (; i + 16 <= c1; i += 16)
            for (int j = 0; j < 16; ++j) {
                float v = x[i + j] - center;
                s[j] += v;
                q[j] += v * v;
            }
        for (; i < c1; ++i) {
            float v = x[i] - center;
            s[0] += v;
            q[0] += v * v;
        }
        for (int j = 0; j < 16; ++j) {
            total += s[j];
            total_sq += q[j];
        }
    }
    *sum = total;
    *sq = total_sq;
}

inline void vk_scale_shift(const float* __restrict x, int64_t n, float center, float scale,
                           float shift, bool silu, float* __restrict y) {
    if (silu) {
        for (int64_t i = 0; i < n; ++i) {
            float v = (x[i] - center) * scale + shift;
            y[i] = v * vm_sigmoid(v);
        }
    } else {
        for (int64_t i = 0; i < n; ++i) y[i] = (x[i] - center) * scale + shift;
    }
}

inline void vk_layer_norm_row(const float* x, int64_t dim, float eps, const float* gamma,
                              const float* beta, float* y) {
    double sum, sq;
    vk_sum_and_centered_squares(x, dim, 0.0f, &sum, &sq);
    float mean = static_cast<float>(sum / dim);
    // Second pass around the mean: no cancellation for rows with a large offset.
    vk_sum_and_centered_squares(x, dim, mean, &sum, &sq);
    double var = sq / dim - (sum / dim) * (sum / dim);
    float rstd = static_cast<float>(1.0 / std::sqrt(var + eps));
    float mean2 = mean + static_cast<float>(sum / dim);
    for (int64_t i = 0; i < dim; ++i) {
        float v = (x[i] - mean2) * rstd;
        if (gamma) v *= gamma[i];
        if (beta) v += beta[i];
        y[i] = v;
    }
}

inline void vk_column_online_softmax(float* __restrict x, int64_t rows, int64_t cols, int64_t ld,
                                     float* __restrict max, float* __restrict sum,
                                     float* __restrict correction) {
    float new_max[64], shift[64], block_sum[64];
    for (int64_t c0 = 0; c0 < cols; c0 += 64) {
        const int64_t n = cols - c0 < 64 ? cols - c0 : 64;
        for (int64_t c = 0; c < n; ++c) new_max[c] = max[c0 + c];
        for (int64_t r = 0; r < rows; ++r) {
            const float* xr = x + r * ld + c0;
            for (int64_t c = 0; c < n; ++c) new_max[c] = xr[c] > new_max[c] ? xr[c] : new_max[c];
        }
        for (int64_t c = 0; c < n; ++c) {
            const float old = max[c0 + c];
            // A column with every key masked so far keeps max -inf; shift 0 keeps exp(-inf) = 0.
            correction[c0 + c] = old == -INFINITY ? 0.0f : vm_exp(old - new_max[c]);
            shift[c] = new_max[c] == -INFINITY ? 0.0f : new_max[c];
            block_sum[c] = 0.0f;
        }
        for (int64_t r = 0; r < rows; ++r) {
            float* xr = x + r * ld + c0;
            for (int64_t c = 0; c < n; ++c) {
                const float e = vm_exp(xr[c] - shift[c]);
                xr[c] = e;
                block_sum[c] += e;
            }
        }
        for (int64_t c = 0; c < n; ++c) {
            sum[c0 + c] = sum[c0 + c] * correction[c0 + c] + block_sum[c];
            max[c0 + c] = new_max[c];
        }
    }
}

inline void vk_scale_columns(float* __restrict x, int64_t rows, int64_t cols, int64_t ld,
                             const float* __restrict f) {
    for (int64_t r = 0; r < rows; ++r) {
        float* xr = x + r * ld;
        for (int64_t c = 0; c < cols; ++c) xr[c] *= f[c];
    }
}

inline void vk_pack_transposed_plain(const float* __restrict src, int64_t ld, int rows, int64_t kc,
                                     int width, float* __restrict dst) {
    for (int r = 0; r < rows; ++r) {
        const float* row = src + r * ld;
        for (int64_t k = 0; k < kc; ++k) dst[k * width + r] = row[k];
    }
    for (int r = rows; r < width; ++r)
        for (int64_t k = 0; k < kc; ++k) dst[k * width + r] = 0.0f;
}

// Fills the row-kernel entries of a table; the caller adds the GEMM and conversions.
inline void vk_fill_table(KernelTable& t) {
    t.silu = vk_silu;
    t.gelu_erf = vk_gelu_erf;
    t.gelu_tanh = vk_gelu_tanh;
    t.quick_gelu = vk_quick_gelu;
    t.geglu_row = vk_geglu_row;
    t.softmax_row = vk_softmax_row;
    t.layer_norm_row = vk_layer_norm_row;
    t.sum_and_centered_squares = vk_sum_and_centered_squares;
    t.scale_shift = vk_scale_shift;
    t.column_online_softmax = vk_column_online_softmax;
    t.scale_columns = vk_scale_columns;
    t.row_max = vk_row_max;
    t.exp_shifted_sum = vk_exp_shifted_sum;
    t.scale_row = vk_scale_row;
}
