#include "cpu/reference/reference_ops.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "core/half.h"

#include "quant/row_ops.h"

namespace sdn::ref {

std::vector<double> weight_values(const WeightRef& w) {
    const int64_t n = w.elements();
    std::vector<double> out(static_cast<size_t>(n));
    if (w.type == DType::F32) {
        const float* p = static_cast<const float*>(w.data);
        for (int64_t i = 0; i < n; ++i) out[i] = p[i];
    } else if (w.type == DType::F16) {
        const uint16_t* p = static_cast<const uint16_t*>(w.data);
        for (int64_t i = 0; i < n; ++i) out[i] = f16_to_f32(p[i]);
    } else if (w.type == DType::BF16) {
        const uint16_t* p = static_cast<const uint16_t*>(w.data);
        for (int64_t i = 0; i < n; ++i) out[i] = bf16_to_f32(p[i]);
    } else {
        // Quantized rows run over everything after the outermost dimension (a conv weight
        // [O, C, k, k] is O rows of C*k*k), as the kernels read them.
        const int64_t rows = w.shape.size() >= 2 ? w.shape[0] : 1, K = n / rows;
        const int64_t row_bytes = dtype_row_bytes(w.type, K);
        std::vector<float> row(static_cast<size_t>(K));
        for (int64_t r = 0; r < rows; ++r) {
            dequantize_row_reference(w.type, static_cast<const char*>(w.data) + r * row_bytes, row.data(), K);
            for (int64_t i = 0; i < K; ++i) out[r * K + i] = row[i];
        }
    }
    return out;
}

void linear(const float* x, int64_t M, int64_t K, const WeightRef& w, const WeightRef* bias,
            float* y, bool accumulate) {
    const std::vector<double> wv = weight_values(w);
    const int64_t N = w.rows();
    std::vector<double> bv;
    if (bias) bv = weight_values(*bias);
    for (int64_t i = 0; i < M; ++i)
        for (int64_t n = 0; n < N; ++n) {
            double s = bv.empty() ? 0.0 : bv[n];
            for (int64_t k = 0; k < K; ++k) s += static_cast<double>(x[i * K + k]) * wv[n * K + k];
            y[i * N + n] = static_cast<float>(accumulate ? y[i * N + n] + s : s);
        }
}

void conv2d(const float* x, int64_t B, int64_t C, int64_t H, int64_t W, const WeightRef& w,
            const WeightRef* bias, int stride, int pad, float* y) {
    const std::vector<double> wv = weight_values(w);
    std::vector<double> bv;
    if (bias) bv = weight_values(*bias);
    const int64_t O = w.shape[0], k = w.shape[2];
    const int64_t Ho = (H + 2 * pad - k) / stride + 1, Wo = (W + 2 * pad - k) / stride + 1;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t oy = 0; oy < Ho; ++oy)
                for (int64_t ox = 0; ox < Wo; ++ox) {
                    double s = bv.empty() ? 0.0 : bv[o];
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t ky = 0; ky < k; ++ky)
                            for (int64_t kx = 0; kx < k; ++kx) {
                                const int64_t iy = oy * stride + ky - pad, ix = ox * stride + kx - pad;
                                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                                s += wv[((o * C + c) * k + ky) * k + kx] *
                                     static_cast<double>(x[((b * C + c) * H + iy) * W + ix]);
                            }
                    y[((b * O + o) * Ho + oy) * Wo + ox] = static_cast<float>(s);
                }
}

namespace {
double silu_d(double v) { return v / (1.0 + std::exp(-v)); }
double gelu_erf_d(double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); }
}  // namespace

void group_norm(const float* x, int64_t B, int64_t C, int64_t HW, int groups, float eps,
                const WeightRef* gamma, const WeightRef* beta, float* y, bool silu) {
    std::vector<double> g, bt;
    if (gamma) g = weight_values(*gamma);
    if (beta) bt = weight_values(*beta);
    const int64_t per = C / groups, n = per * HW;
    for (int64_t b = 0; b < B; ++b)
        for (int64_t gi = 0; gi < groups; ++gi) {
            const float* xg = x + (b * C + gi * per) * HW;
            double mean = 0.0;
            for (int64_t i = 0; i < n; ++i) mean += xg[i];
            mean /= n;
            double var = 0.0;
            for (int64_t i = 0; i < n; ++i) var += (xg[i] - mean) * (xg[i] - mean);
            var /= n;
            const double rstd = 1.0 / std::sqrt(var + eps);
            for (int64_t c = gi * per; c < (gi + 1) * per; ++c)
                for (int64_t i = 0; i < HW; ++i) {
                    double v = (x[(b * C + c) * HW + i] - mean) * rstd;
                    if (!g.empty()) v *= g[c];
                    if (!bt.empty()) v += bt[c];
                    y[(b * C + c) * HW + i] = static_cast<float>(silu ? silu_d(v) : v);
                }
        }
}

void layer_norm(const float* x, int64_t rows, int64_t dim, float eps, const WeightRef* gamma,
                const WeightRef* beta, float* y) {
    std::vector<double> g, bt;
    if (gamma) g = weight_values(*gamma);
    if (beta) bt = weight_values(*beta);
    for (int64_t r = 0; r < rows; ++r) {
        const float* xr = x + r * dim;
        double mean = 0.0, var = 0.0;
        for (int64_t i = 0; i < dim; ++i) mean += xr[i];
        mean /= dim;
        for (int64_t i = 0; i < dim; ++i) var += (xr[i] - mean) * (xr[i] - mean);
        var /= dim;
        const double rstd = 1.0 / std::sqrt(var + eps);
        for (int64_t i = 0; i < dim; ++i) {
            double v = (xr[i] - mean) * rstd;
            if (!g.empty()) v *= g[i];
            if (!bt.empty()) v += bt[i];
            y[r * dim + i] = static_cast<float>(v);
        }
    }
}

void softmax_rows(float* x, int64_t rows, int64_t n) {
    for (int64_t r = 0; r < rows; ++r) {
        float* xr = x + r * n;
        double m = -INFINITY;
        for (int64_t i = 0; i < n; ++i) m = std::max<double>(m, xr[i]);
        double s = 0.0;
        for (int64_t i = 0; i < n; ++i) s += std::exp(xr[i] - m);
        for (int64_t i = 0; i < n; ++i) xr[i] = static_cast<float>(std::exp(xr[i] - m) / s);
    }
}

void attention(const ops::AttentionArgs& a) {
    const int64_t d = a.head_dim;
    std::vector<double> p(static_cast<size_t>(a.nk));
    for (int64_t b = 0; b < a.batch; ++b)
        for (int64_t h = 0; h < a.heads; ++h)
            for (int64_t i = 0; i < a.nq; ++i) {
                const float* q = a.q + (b * a.nq + i) * a.q_stride + h * d;
                double m = -INFINITY;
                const int64_t nk = a.causal ? std::min(a.nk, i + 1) : a.nk;
                for (int64_t j = 0; j < nk; ++j) {
                    const float* k = a.k + (b * a.nk + j) * a.k_stride + h * d;
                    double s = 0.0;
                    for (int64_t t = 0; t < d; ++t) s += static_cast<double>(q[t]) * k[t];
                    p[j] = s * a.scale;
                    m = std::max(m, p[j]);
                }
                double sum = 0.0;
                for (int64_t j = 0; j < nk; ++j) sum += (p[j] = std::exp(p[j] - m));
                float* o = a.out + (b * a.nq + i) * a.out_stride + h * d;
                for (int64_t t = 0; t < d; ++t) {
                    double acc = 0.0;
                    for (int64_t j = 0; j < nk; ++j) acc += p[j] * a.v[(b * a.nk + j) * a.v_stride + h * d + t];
                    o[t] = static_cast<float>(nk ? acc / sum : 0.0);
                }
            }
}

void silu(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(silu_d(x[i]));
}
void gelu_erf(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(gelu_erf_d(x[i]));
}
void gelu_tanh(float* x, int64_t n) {
    const double c = std::sqrt(2.0 / M_PI);
    for (int64_t i = 0; i < n; ++i) {
        const double v = x[i];
        x[i] = static_cast<float>(0.5 * v * (1.0 + std::tanh(c * (v + 0.044715 * v * v * v))));
    }
}
void quick_gelu(float* x, int64_t n) {
    for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(x[i] / (1.0 + std::exp(-1.702 * x[i])));
}
void geglu(const float* x, int64_t rows, int64_t d, float* y) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < d; ++i)
            y[r * d + i] = static_cast<float>(x[r * 2 * d + i] * gelu_erf_d(x[r * 2 * d + d + i]));
}

void add(const float* a, const float* b, int64_t outer, int64_t inner, int64_t b_outer, float* y) {
    for (int64_t r = 0; r < outer; ++r)
        for (int64_t i = 0; i < inner; ++i)
            y[r * inner + i] = static_cast<float>(double(a[r * inner + i]) + b[(b_outer == 1 ? 0 : r) * inner + i]);
}
void mul(const float* a, const float* b, int64_t outer, int64_t inner, int64_t b_outer, float* y) {
    for (int64_t r = 0; r < outer; ++r)
        for (int64_t i = 0; i < inner; ++i)
            y[r * inner + i] = static_cast<float>(double(a[r * inner + i]) * b[(b_outer == 1 ? 0 : r) * inner + i]);
}
void add_channel_bias(float* x, const float* v, int64_t B, int64_t C, int64_t HW) {
    for (int64_t r = 0; r < B * C; ++r)
        for (int64_t i = 0; i < HW; ++i) x[r * HW + i] += v[r];
}
void upsample_nearest2x(const float* x, int64_t B, int64_t C, int64_t H, int64_t W, float* y) {
    for (int64_t p = 0; p < B * C; ++p)
        for (int64_t oy = 0; oy < 2 * H; ++oy)
            for (int64_t ox = 0; ox < 2 * W; ++ox)
                y[(p * 2 * H + oy) * 2 * W + ox] = x[(p * H + oy / 2) * W + ox / 2];
}
void concat_channels(const float* a, int64_t C1, const float* b, int64_t C2, int64_t B, int64_t HW,
                     float* y) {
    for (int64_t bi = 0; bi < B; ++bi)
        for (int64_t c = 0; c < C1 + C2; ++c)
            for (int64_t i = 0; i < HW; ++i)
                y[(bi * (C1 + C2) + c) * HW + i] =
                    c < C1 ? a[(bi * C1 + c) * HW + i] : b[(bi * C2 + c - C1) * HW + i];
}
void timestep_embedding(const float* t, int64_t B, int64_t dim, float* out, double max_period) {
    const int64_t half = dim / 2;
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t i = 0; i < half; ++i) {
            const double arg = t[b] * std::exp(-std::log(max_period) * i / half);
            out[b * dim + i] = static_cast<float>(std::cos(arg));
            out[b * dim + half + i] = static_cast<float>(std::sin(arg));
        }
        if (dim % 2) out[b * dim + dim - 1] = 0.0f;
    }
}

namespace {
// One axis of torch's interpolate as a list of (source index, weight) per output position.
std::vector<std::vector<std::pair<int64_t, double>>> axis(int64_t in, int64_t out, ops::Interp mode) {
    std::vector<std::vector<std::pair<int64_t, double>>> taps(static_cast<size_t>(out));
    const double scale = double(in) / double(out);
    auto clampi = [&](int64_t i) { return std::clamp<int64_t>(i, 0, in - 1); };
    for (int64_t o = 0; o < out; ++o) {
        auto& t = taps[o];
        switch (mode) {
            case ops::Interp::Nearest: t.push_back({std::min<int64_t>(int64_t(std::floor(o * scale)), in - 1), 1.0}); break;
            case ops::Interp::NearestExact:
                t.push_back({std::min<int64_t>(int64_t(std::floor((o + 0.5) * scale)), in - 1), 1.0});
                break;
            case ops::Interp::Bilinear: {
                const double src = std::max(0.0, (o + 0.5) * scale - 0.5);
                const int64_t i0 = int64_t(src), i1 = std::min(i0 + 1, in - 1);
                t.push_back({i0, 1.0 - (src - i0)});
                t.push_back({i1, src - i0});
                break;
            }
            case ops::Interp::Bicubic: {
                const double A = -0.75, src = (o + 0.5) * scale - 0.5, fl = std::floor(src), f = src - fl;
                auto w = [&](double dist) {
                    dist = std::abs(dist);
                    if (dist <= 1) return ((A + 2) * dist - (A + 3)) * dist * dist + 1;
                    if (dist < 2) return ((A * dist - 5 * A) * dist + 8 * A) * dist - 4 * A;
                    return 0.0;
                };
                for (int k = -1; k <= 2; ++k) t.push_back({clampi(int64_t(fl) + k), w(f - k)});
                break;
            }
            case ops::Interp::Area: {
                const int64_t s = int64_t(std::floor(o * scale)), e = int64_t(std::ceil((o + 1) * scale));
                for (int64_t i = s; i < e; ++i) t.push_back({i, 1.0 / double(e - s)});
                break;
            }
        }
    }
    return taps;
}
}  // namespace

void interpolate(const float* x, int64_t B, int64_t C, int64_t H, int64_t W, float* y, int64_t Ho,
                 int64_t Wo, ops::Interp mode) {
    const auto ty = axis(H, Ho, mode), tx = axis(W, Wo, mode);
    for (int64_t p = 0; p < B * C; ++p)
        for (int64_t oy = 0; oy < Ho; ++oy)
            for (int64_t ox = 0; ox < Wo; ++ox) {
                double s = 0.0;
                for (auto [iy, wy] : ty[oy])
                    for (auto [ix, wx] : tx[ox]) s += wy * wx * x[(p * H + iy) * W + ix];
                y[(p * Ho + oy) * Wo + ox] = static_cast<float>(s);
            }
}

}  // namespace sdn::ref
