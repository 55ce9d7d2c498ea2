// K-quant fitting in two stages.
//
// 1. Each sub-block gets a real-valued step (and, for the asymmetric types, an offset) by
//    search: rounding every value to a grid spanned by the sub-block's extremes spends levels
//    on the single value at each end, so we try grids a little narrower and wider than that
//    (nq + k/10 levels across the range, k = -10..10); for each one we pick every value's
//    nearest level, fit the least-squares step (and offset) to those levels and pick the
//    levels again. The best result by plain squared error wins (the quantity the RMS error
//    measures).
// 2. The super-block stores the steps (and offsets) as small integers times one f16 value.
//    For each sub-block we try both integers around its ideal step (and both around its
//    offset), pick every value's nearest level again and keep the pair with the least error.
//
// The final levels are always the nearest grid point of the stored scales (clamped to the
// grid's ends), which the tests check value by value; docs/quantization.md has the RMS error
// of this search next to the GGUF tools' own search.
#include "quant/kquant_fit.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/half.h"

namespace sdn::quant {
namespace {

constexpr int kGridTweaks = 10;  // grids of (levels + k/10) for k in -10..10
constexpr int kRefitRounds = 1;  // a second round gains under 1 % RMS for twice the time

// Nearest finite f16 (saturating), so a stored scale never decodes to infinity.
float f16_nearest_finite(float v, uint16_t* bits) {
    uint16_t h = f32_to_f16(v);
    if ((h & 0x7fff) >= 0x7c00) h = static_cast<uint16_t>((h & 0x8000) | 0x7bff);
    *bits = h;
    return f16_to_f32(h);
}

// Nearest integer in lo..hi (halves round up); NaN goes to lo. After the clamp v - lo is
// non-negative, so truncating v - lo + 0.5 rounds without a library call (this runs for
// every value of every candidate grid).
int round_into(float v, int lo, int hi) {
    const float flo = static_cast<float>(lo), fhi = static_cast<float>(hi);
    v = v > flo ? v : flo;  // written as comparisons so NaN goes to lo and no libm call remains
    v = v < fhi ? v : fhi;
    return static_cast<int>(v - static_cast<float>(lo) + 0.5f) + lo;
}

// ---- asymmetric: value ~= step * q + offset, q in 0..nq, step >= 0, offset <= 0 ----

struct Affine {
    float step, offset;
};

double pick_affine_levels(const float* x, int n, int nq, Affine a, uint8_t* q) {
    const float inv = a.step > 0 ? 1.0f / a.step : 0.0f;
    double sse = 0;
    for (int i = 0; i < n; ++i) {
        const int l = a.step > 0 ? round_into((x[i] - a.offset) * inv, 0, nq) : 0;
        if (q) q[i] = static_cast<uint8_t>(l);
        const double e = double(a.step * static_cast<float>(l) + a.offset) - x[i];
        sse += e * e;
    }
    return sse;
}

// Least-squares step and offset for fixed levels, keeping offset <= 0 (the format stores
// -offset as an unsigned multiple of dmin). False when the levels cannot define a step.
bool refit_affine(const float* x, int n, const uint8_t* q, Affine& a) {
    double sq = 0, sqq = 0, sx = 0, sxq = 0;
    for (int i = 0; i < n; ++i) {
        sq += q[i];
        sqq += double(q[i]) * q[i];
        sx += x[i];
        sxq += double(x[i]) * q[i];
    }
    const double det = n * sqq - sq * sq;
    if (det <= 0) return false;
    double step = (n * sxq - sx * sq) / det;
    double offset = (sx - step * sq) / n;
    if (offset > 0) {
        offset = 0;
        step = sxq / sqq;
    }
    if (!(step > 0)) return false;
    a = {static_cast<float>(step), static_cast<float>(offset)};
    return true;
}

Affine fit_affine(const float* x, int n, int nq) {
    float lo = 0, hi = x[0];
    for (int i = 0; i < n; ++i) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
    }
    if (!(hi > lo)) return {0.0f, std::min(lo, 0.0f)};  // constant (or all zero): the offset says it
    Affine best{(hi - lo) / static_cast<float>(nq), lo};
    double best_sse = pick_affine_levels(x, n, nq, best, nullptr);
    uint8_t q[32];
    for (int k = -kGridTweaks; k <= kGridTweaks; ++k) {
        Affine a{(hi - lo) / (static_cast<float>(nq) + 0.1f * static_cast<float>(k)), lo};
        pick_affine_levels(x, n, nq, a, q);
        for (int round = 0; round < kRefitRounds && refit_affine(x, n, q, a); ++round) {
            const double sse = pick_affine_levels(x, n, nq, a, q);
            if (sse < best_sse) {
                best_sse = sse;
                best = a;
            }
        }
    }
    return best;
}

// ---- symmetric: value ~= step * q, q in -qh..qh-1 (the step's sign picks which end of the
// uneven grid takes the value of largest magnitude) ----

double pick_linear_levels(const float* x, int n, int qh, float step, int* q) {
    const float inv = step != 0 ? 1.0f / step : 0.0f;
    double sse = 0;
    for (int i = 0; i < n; ++i) {
        const int l = step != 0 ? round_into(x[i] * inv, -qh, qh - 1) : 0;
        if (q) q[i] = l;
        const double e = double(step * static_cast<float>(l)) - x[i];
        sse += e * e;
    }
    return sse;
}

float fit_linear(const float* x, int n, int qh) {
    float vmax = 0;
    for (int i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(vmax)) vmax = x[i];
    if (vmax == 0) return 0.0f;
    float best = vmax / static_cast<float>(-qh);
    double best_sse = pick_linear_levels(x, n, qh, best, nullptr);
    int q[32];
    for (const int end : {-qh, qh - 1}) {
        for (int k = -kGridTweaks; k <= kGridTweaks; ++k) {
            float step = vmax / (static_cast<float>(end) + 0.1f * static_cast<float>(k));
            pick_linear_levels(x, n, qh, step, q);
            for (int round = 0; round < kRefitRounds; ++round) {
                double sxq = 0, sqq = 0;
                for (int i = 0; i < n; ++i) {
                    sxq += double(x[i]) * q[i];
                    sqq += double(q[i]) * q[i];
                }
                if (sqq == 0) break;
                step = static_cast<float>(sxq / sqq);
                const double sse = pick_linear_levels(x, n, qh, step, q);
                if (sse < best_sse) {
                    best_sse = sse;
                    best = step;
                }
            }
        }
    }
    return best;
}

// The two integers around v (v >= lo assumed only loosely), clamped into lo..hi.
void neighbours(float v, int lo, int hi, int out[2]) {
    const float f = std::floor(std::fmin(std::fmax(v, static_cast<float>(lo)), static_cast<float>(hi)));
    out[0] = static_cast<int>(f);
    out[1] = std::min(hi, out[0] + 1);
}

}  // namespace

AsymmetricFit fit_asymmetric(const float* x, int n_sub, int sub_len, int nq, int ns) {
    AsymmetricFit r;
    Affine sub[16];
    float max_step = 0, max_neg_offset = 0;
    for (int s = 0; s < n_sub; ++s) {
        sub[s] = fit_affine(x + s * sub_len, sub_len, nq);
        max_step = std::max(max_step, sub[s].step);
        max_neg_offset = std::max(max_neg_offset, -sub[s].offset);
    }
    const float d = f16_nearest_finite(max_step / static_cast<float>(ns), &r.d_bits);
    const float dmin = f16_nearest_finite(max_neg_offset / static_cast<float>(ns), &r.dmin_bits);
    for (int s = 0; s < n_sub; ++s) {
        const float* xs = x + s * sub_len;
        int ls[2] = {0, 0}, lm[2] = {0, 0};
        if (d > 0) neighbours(sub[s].step / d, 0, ns, ls);
        if (dmin > 0) neighbours(-sub[s].offset / dmin, 0, ns, lm);
        double best = std::numeric_limits<double>::infinity();
        uint8_t q[32];
        for (int a : ls)
            for (int b : lm) {
                const Affine c{d * static_cast<float>(a), -(dmin * static_cast<float>(b))};
                const double sse = pick_affine_levels(xs, sub_len, nq, c, q);
                if (sse < best) {
                    best = sse;
                    r.scale[s] = static_cast<uint8_t>(a);
                    r.min[s] = static_cast<uint8_t>(b);
                    std::copy(q, q + sub_len, r.q + s * sub_len);
                }
            }
    }
    return r;
}

SymmetricFit fit_symmetric(const float* x, int n_sub, int sub_len, int qh, int sh) {
    SymmetricFit r;
    float step[16], widest = 0;
    for (int s = 0; s < n_sub; ++s) {
        step[s] = fit_linear(x + s * sub_len, sub_len, qh);
        if (std::fabs(step[s]) > std::fabs(widest)) widest = step[s];
    }
    // The widest step maps to -sh, the end of the uneven scale range with room to spare.
    const float d = f16_nearest_finite(widest / static_cast<float>(-sh), &r.d_bits);
    for (int s = 0; s < n_sub; ++s) {
        const float* xs = x + s * sub_len;
        int ls[2] = {0, 0};
        if (d != 0) neighbours(step[s] / d, -sh, sh - 1, ls);
        double best = std::numeric_limits<double>::infinity();
        int q[32];
        for (int a : ls) {
            const double sse = pick_linear_levels(xs, sub_len, qh, d * static_cast<float>(a), q);
            if (sse < best) {
                best = sse;
                r.scale[s] = a;
                std::copy(q, q + sub_len, r.q + s * sub_len);
            }
        }
    }
    return r;
}

}  // namespace sdn::quant
