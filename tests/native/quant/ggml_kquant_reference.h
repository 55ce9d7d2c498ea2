// An independent re-implementation, in our own code, of the K-quant search that the GGUF
// tools (ggml's reference quantizer) use, written from the published description of their
// algorithm. It returns the decoded values rather than packed blocks, which is all that is
// needed to compare its error with ours (tests and the quantization-quality bench).
//
//   q2_K, q4_K, q5_K: per sub-block, a weighted least-squares fit of scale and min over
//     the levels picked by grids of (nq + rmin + rdelta * i) levels across [min(x, 0), max x],
//     i = 0..nstep (q2_K: rmin -0.5, 15 steps, weights |x|, judged by weighted absolute
//     error; q4_K: rmin -1, 20 steps; q5_K: rmin -0.5, 15 steps, both weights
//     rms(sub-block) + |x|, judged by weighted squared error); rdelta 0.1 throughout.
//   q3_K: levels -4..3 with the largest magnitude at -4, then up to five passes moving single
//     values to their best level under the x^2-weighted least-squares scale.
//   q6_K: levels -32..31; grids of -(32 + i/10)/max for i = -9..9, keeping the one with the
//     best x^2-weighted least-squares fit.
//   Super-block: sub-block scales (and mins) rounded to nearest integers of max/levels,
//   with f16 super-scales; values then re-picked to the nearest level of the stored grid.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/half.h"
#include "quant/dtype.h"

namespace ggml_ref {

inline int nearest(float v) { return static_cast<int>(std::nearbyint(v)); }
inline float as_f16(float v) { return sdn::f16_to_f32(sdn::f32_to_f16(v)); }

// Weighted search for one sub-block: returns the scale, sets *neg_min (>= 0).
inline float fit_scale_min(int n, int nq, const float* x, const float* w, float rmin, float rdelta, int nstep,
                           bool absolute_error, float* neg_min) {
    float lo = x[0], hi = x[0], sw = 0, swx = 0;
    for (int i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
        sw += w[i];
        swx += w[i] * x[i];
    }
    lo = std::min(lo, 0.0f);
    if (hi == lo) {
        *neg_min = -lo;
        return 0.0f;
    }
    auto cost = [&](float scale, float mn, float inv) {
        float c = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest(inv * (x[i] - lo)), 0, nq);
            const float e = scale * static_cast<float>(l) + mn - x[i];
            c += w[i] * (absolute_error ? std::fabs(e) : e * e);
        }
        return c;
    };
    float scale = (hi - lo) / static_cast<float>(nq), mn = lo;
    float best = cost(scale, mn, 1.0f / scale);
    for (int step = 0; step <= nstep; ++step) {
        const float inv = (rmin + rdelta * static_cast<float>(step) + static_cast<float>(nq)) / (hi - lo);
        float sl = 0, sll = 0, sxl = 0;
        std::vector<int> levels(static_cast<size_t>(n));
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest(inv * (x[i] - lo)), 0, nq);
            levels[static_cast<size_t>(i)] = l;
            sl += w[i] * static_cast<float>(l);
            sll += w[i] * static_cast<float>(l * l);
            sxl += w[i] * static_cast<float>(l) * x[i];
        }
        const float det = sw * sll - sl * sl;
        if (det <= 0) continue;
        float s = (sw * sxl - swx * sl) / det, m = (sll * swx - sl * sxl) / det;
        if (m > 0) {
            m = 0;
            s = sxl / sll;
        }
        float c = 0;
        for (int i = 0; i < n; ++i) {
            const float e = s * static_cast<float>(levels[static_cast<size_t>(i)]) + m - x[i];
            c += w[i] * (absolute_error ? std::fabs(e) : e * e);
        }
        if (c < best) {
            best = c;
            scale = s;
            mn = m;
        }
    }
    *neg_min = -mn;
    return scale;
}

// Decodes an asymmetric super-block the way the tools store it.
inline void asymmetric(const float* x, float* y, int n_sub, int len, int nq, int ns) {
    std::vector<float> scale(static_cast<size_t>(n_sub)), neg_min(static_cast<size_t>(n_sub));
    std::vector<float> w(static_cast<size_t>(len));
    float max_scale = 0, max_min = 0;
    for (int s = 0; s < n_sub; ++s) {
        const float* xs = x + s * len;
        float rms = 0;
        for (int i = 0; i < len; ++i) rms += xs[i] * xs[i];
        rms = std::sqrt(rms / static_cast<float>(len));
        for (int i = 0; i < len; ++i) w[static_cast<size_t>(i)] = nq == 3 ? std::fabs(xs[i]) : rms + std::fabs(xs[i]);
        float& m = neg_min[static_cast<size_t>(s)];
        scale[static_cast<size_t>(s)] =
            nq == 3    ? fit_scale_min(len, nq, xs, w.data(), -0.5f, 0.1f, 15, true, &m)
            : nq == 15 ? fit_scale_min(len, nq, xs, w.data(), -1.0f, 0.1f, 20, false, &m)
                       : fit_scale_min(len, nq, xs, w.data(), -0.5f, 0.1f, 15, false, &m);
        max_scale = std::max(max_scale, scale[static_cast<size_t>(s)]);
        max_min = std::max(max_min, m);
    }
    const float d = max_scale > 0 ? as_f16(max_scale / static_cast<float>(ns)) : 0.0f;
    const float dmin = max_min > 0 ? as_f16(max_min / static_cast<float>(ns)) : 0.0f;
    for (int s = 0; s < n_sub; ++s) {
        const int ls = max_scale > 0 ? std::min(ns, nearest(static_cast<float>(ns) / max_scale * scale[static_cast<size_t>(s)])) : 0;
        const int lm = max_min > 0 ? std::min(ns, nearest(static_cast<float>(ns) / max_min * neg_min[static_cast<size_t>(s)])) : 0;
        const float dl = d * static_cast<float>(ls), ml = dmin * static_cast<float>(lm);
        for (int i = 0; i < len; ++i) {
            const int l = dl != 0 ? std::clamp(nearest((x[s * len + i] + ml) / dl), 0, nq) : 0;
            y[s * len + i] = dl * static_cast<float>(l) - ml;
        }
    }
}

inline float signed_absmax(const float* x, int n) {
    float v = 0;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(v)) v = x[i];
    return v;
}

// q3_K's sub-block scale: start from the grid with the largest value at -4, then move single
// values while that raises (sum w x l)^2 / (sum w l^2), w = x^2.
inline float fit_q3_scale(const float* x, int n) {
    const float vmax = signed_absmax(x, n);
    if (std::fabs(vmax) < 1e-15f) return 0.0f;
    const float inv = -4.0f / vmax;
    std::vector<int> l(static_cast<size_t>(n));
    float sxl = 0, sll = 0;
    for (int i = 0; i < n; ++i) {
        l[static_cast<size_t>(i)] = std::clamp(nearest(inv * x[i]), -4, 3);
        const float w = x[i] * x[i];
        sxl += w * x[i] * static_cast<float>(l[static_cast<size_t>(i)]);
        sll += w * static_cast<float>(l[static_cast<size_t>(i)] * l[static_cast<size_t>(i)]);
    }
    for (int pass = 0; pass < 5; ++pass) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            int& li = l[static_cast<size_t>(i)];
            const float w = x[i] * x[i];
            float a = sxl - w * x[i] * static_cast<float>(li);
            if (a <= 0) continue;
            float b = sll - w * static_cast<float>(li * li);
            const int cand = std::clamp(nearest(x[i] * b / a), -4, 3);
            if (cand == li) continue;
            a += w * x[i] * static_cast<float>(cand);
            b += w * static_cast<float>(cand * cand);
            if (b > 0 && a * a * sll > sxl * sxl * b) {
                li = cand;
                sxl = a;
                sll = b;
                ++changed;
            }
        }
        if (!changed) break;
    }
    return sxl / sll;
}

// q6_K's sub-block scale: grids around -32/max, x^2-weighted least squares, the best kept.
inline float fit_q6_scale(const float* x, int n) {
    const float vmax = signed_absmax(x, n);
    if (std::fabs(vmax) < 1e-15f) return 0.0f;
    auto fit = [&](float inv, float* sxl, float* sll) {
        *sxl = 0;
        *sll = 0;
        for (int i = 0; i < n; ++i) {
            const float l = static_cast<float>(std::clamp(nearest(inv * x[i]), -32, 31));
            *sxl += x[i] * x[i] * x[i] * l;
            *sll += x[i] * x[i] * l * l;
        }
    };
    float sxl, sll;
    fit(-32.0f / vmax, &sxl, &sll);
    float scale = sll > 0 ? sxl / sll : 0.0f, best = scale * sxl;
    for (int k = -9; k <= 9; ++k) {
        if (k == 0) continue;
        fit(-(32.0f + 0.1f * static_cast<float>(k)) / vmax, &sxl, &sll);
        if (sll > 0 && sxl * sxl > best * sll) {
            scale = sxl / sll;
            best = scale * sxl;
        }
    }
    return scale;
}

inline void symmetric(const float* x, float* y, bool q3) {
    const int qh = q3 ? 4 : 32, sh = q3 ? 32 : 128;
    float scale[16], widest = 0;
    for (int s = 0; s < 16; ++s) {
        scale[s] = q3 ? fit_q3_scale(x + 16 * s, 16) : fit_q6_scale(x + 16 * s, 16);
        if (std::fabs(scale[s]) > std::fabs(widest)) widest = scale[s];
    }
    if (std::fabs(widest) < 1e-15f) {
        std::fill(y, y + 256, 0.0f);
        return;
    }
    const float inv = static_cast<float>(-sh) / widest;
    const float d = as_f16(1.0f / inv);
    for (int s = 0; s < 16; ++s) {
        const int ls = std::clamp(nearest(inv * scale[s]), -sh, sh - 1);
        const float dl = d * static_cast<float>(ls);
        for (int i = 0; i < 16; ++i) {
            const int l = dl != 0 ? std::clamp(nearest(x[16 * s + i] / dl), -qh, qh - 1) : 0;
            y[16 * s + i] = dl * static_cast<float>(l);
        }
    }
}

// Quantizes and decodes n values (a multiple of 256) as the tools would for a K-quant type.
inline std::vector<float> roundtrip(sdn::DType t, const std::vector<float>& x) {
    std::vector<float> y(x.size());
    for (size_t b = 0; b + 256 <= x.size(); b += 256) {
        const float* xb = x.data() + b;
        float* yb = y.data() + b;
        switch (t) {
            case sdn::DType::Q2_K: asymmetric(xb, yb, 16, 16, 3, 15); break;
            case sdn::DType::Q4_K: asymmetric(xb, yb, 8, 32, 15, 63); break;
            case sdn::DType::Q5_K: asymmetric(xb, yb, 8, 32, 31, 63); break;
            case sdn::DType::Q3_K: symmetric(xb, yb, true); break;
            case sdn::DType::Q6_K: symmetric(xb, yb, false); break;
            default: return {};
        }
    }
    return y;
}

}  // namespace ggml_ref
