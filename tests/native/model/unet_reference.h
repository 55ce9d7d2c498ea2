// A plain double-precision SD1 UNet written straight from the LDM module definitions, for
// tests: every op is the textbook loop, weights are looked up by their checkpoint names. The
// tiny SDXL UNet adds what SDXL changes: linear projections, 64-channel heads, transformer
// depth 2, no attention at the first level and the label embedding of the ADM vector.
#pragma once

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "model/test_model_writer.h"

namespace unet_ref {

using Vec = std::vector<double>;

// Weights by full name, in float32 as the test model generator made them.
class Weights {
public:
    explicit Weights(const std::vector<sdn::TestTensor>& tensors) {
        for (const auto& t : tensors) by_name_[t.name] = &t;
    }
    const sdn::TestTensor& at(const std::string& name) const {
        auto it = by_name_.find(name);
        if (it == by_name_.end()) throw std::runtime_error("reference: no tensor " + name);
        return *it->second;
    }
    bool has(const std::string& name) const { return by_name_.count(name) != 0; }
    double v(const std::string& name, size_t i) const { return at(name).values[i]; }

private:
    std::map<std::string, const sdn::TestTensor*> by_name_;
};

// x [B, C, H, W] -> [B, O, Ho, Wo]
inline Vec conv2d(const Weights& w, const std::string& n, const Vec& x, int64_t B, int64_t C,
                  int64_t H, int64_t W, int stride, int pad, int64_t* Ho_out, int64_t* Wo_out) {
    const auto& wt = w.at(n + ".weight");
    const int64_t O = wt.shape[0], k = wt.shape[2];
    const int64_t Ho = (H + 2 * pad - k) / stride + 1, Wo = (W + 2 * pad - k) / stride + 1;
    Vec y(static_cast<size_t>(B * O * Ho * Wo));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t i = 0; i < Ho; ++i)
                for (int64_t j = 0; j < Wo; ++j) {
                    double s = w.v(n + ".bias", static_cast<size_t>(o));
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t ki = 0; ki < k; ++ki)
                            for (int64_t kj = 0; kj < k; ++kj) {
                                const int64_t yy = i * stride + ki - pad, xx = j * stride + kj - pad;
                                if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                                s += wt.values[static_cast<size_t>(((o * C + c) * k + ki) * k + kj)] *
                                     x[static_cast<size_t>(((b * C + c) * H + yy) * W + xx)];
                            }
                    y[static_cast<size_t>(((b * O + o) * Ho + i) * Wo + j)] = s;
                }
    if (Ho_out) *Ho_out = Ho;
    if (Wo_out) *Wo_out = Wo;
    return y;
}

inline double silu(double v) { return v / (1.0 + std::exp(-v)); }

// GroupNorm(32) over [B, C, HW]
inline Vec group_norm(const Weights& w, const std::string& n, const Vec& x, int64_t B, int64_t C,
                      int64_t HW, double eps, bool apply_silu) {
    const int64_t G = 32, cpg = C / G;
    Vec y(x.size());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t g = 0; g < G; ++g) {
            double mean = 0, var = 0;
            const size_t base = static_cast<size_t>((b * C + g * cpg) * HW);
            const size_t cnt = static_cast<size_t>(cpg * HW);
            for (size_t i = 0; i < cnt; ++i) mean += x[base + i];
            mean /= static_cast<double>(cnt);
            for (size_t i = 0; i < cnt; ++i) var += (x[base + i] - mean) * (x[base + i] - mean);
            var /= static_cast<double>(cnt);
            for (int64_t c = g * cpg; c < (g + 1) * cpg; ++c)
                for (int64_t p = 0; p < HW; ++p) {
                    const size_t idx = static_cast<size_t>((b * C + c) * HW + p);
                    double v = (x[idx] - mean) / std::sqrt(var + eps) * w.v(n + ".weight", c) +
                               w.v(n + ".bias", c);
                    y[idx] = apply_silu ? silu(v) : v;
                }
        }
    return y;
}

// x [M, K] -> [M, N] with weight [N, K] (or [N, K, 1, 1])
inline Vec linear(const Weights& w, const std::string& n, const Vec& x, int64_t M) {
    const auto& wt = w.at(n + ".weight");
    const int64_t N = wt.shape[0];
    const int64_t K = static_cast<int64_t>(wt.values.size()) / N;
    const bool bias = w.has(n + ".bias");
    Vec y(static_cast<size_t>(M * N));
    for (int64_t m = 0; m < M; ++m)
        for (int64_t o = 0; o < N; ++o) {
            double s = bias ? w.v(n + ".bias", o) : 0.0;
            for (int64_t k = 0; k < K; ++k)
                s += wt.values[static_cast<size_t>(o * K + k)] * x[static_cast<size_t>(m * K + k)];
            y[static_cast<size_t>(m * N + o)] = s;
        }
    return y;
}

inline Vec layer_norm(const Weights& w, const std::string& n, const Vec& x, int64_t rows,
                      int64_t D) {
    Vec y(x.size());
    for (int64_t r = 0; r < rows; ++r) {
        double mean = 0, var = 0;
        for (int64_t i = 0; i < D; ++i) mean += x[static_cast<size_t>(r * D + i)];
        mean /= static_cast<double>(D);
        for (int64_t i = 0; i < D; ++i) {
            const double d = x[static_cast<size_t>(r * D + i)] - mean;
            var += d * d;
        }
        var /= static_cast<double>(D);
        for (int64_t i = 0; i < D; ++i)
            y[static_cast<size_t>(r * D + i)] =
                (x[static_cast<size_t>(r * D + i)] - mean) / std::sqrt(var + 1e-5) *
                    w.v(n + ".weight", i) +
                w.v(n + ".bias", i);
    }
    return y;
}

// Multi-head attention block (q from x, k/v from src) including to_out.
inline Vec attention(const Weights& w, const std::string& n, const Vec& x, int64_t B, int64_t nq,
                     const Vec& src, int64_t nk, int64_t heads) {
    const Vec q = linear(w, n + ".to_q", x, B * nq);
    const Vec k = linear(w, n + ".to_k", src, B * nk);
    const Vec v = linear(w, n + ".to_v", src, B * nk);
    const int64_t D = static_cast<int64_t>(q.size()) / (B * nq), hd = D / heads;
    Vec o(q.size());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < heads; ++h)
            for (int64_t i = 0; i < nq; ++i) {
                std::vector<double> s(static_cast<size_t>(nk));
                double mx = -1e300;
                for (int64_t j = 0; j < nk; ++j) {
                    double d = 0;
                    for (int64_t e = 0; e < hd; ++e)
                        d += q[static_cast<size_t>((b * nq + i) * D + h * hd + e)] *
                             k[static_cast<size_t>((b * nk + j) * D + h * hd + e)];
                    s[static_cast<size_t>(j)] = d / std::sqrt(static_cast<double>(hd));
                    mx = std::max(mx, s[static_cast<size_t>(j)]);
                }
                double sum = 0;
                for (double& e : s) sum += (e = std::exp(e - mx));
                for (int64_t e = 0; e < hd; ++e) {
                    double acc = 0;
                    for (int64_t j = 0; j < nk; ++j)
                        acc += s[static_cast<size_t>(j)] / sum *
                               v[static_cast<size_t>((b * nk + j) * D + h * hd + e)];
                    o[static_cast<size_t>((b * nq + i) * D + h * hd + e)] = acc;
                }
            }
    return linear(w, n + ".to_out.0", o, B * nq);
}

// ResBlock on x [B, C, H, W] with emb [B, E] (before SiLU).
inline Vec resblock(const Weights& w, const std::string& n, const Vec& x, int64_t B, int64_t C,
                    int64_t H, int64_t W, const Vec& emb, int64_t* out_ch) {
    Vec h = group_norm(w, n + ".in_layers.0", x, B, C, H * W, 1e-5, true);
    h = conv2d(w, n + ".in_layers.2", h, B, C, H, W, 1, 1, nullptr, nullptr);
    const int64_t O = w.at(n + ".in_layers.2.weight").shape[0];
    Vec es(emb.size());
    for (size_t i = 0; i < emb.size(); ++i) es[i] = silu(emb[i]);
    const Vec e = linear(w, n + ".emb_layers.1", es, B);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t o = 0; o < O; ++o)
            for (int64_t p = 0; p < H * W; ++p)
                h[static_cast<size_t>((b * O + o) * H * W + p)] += e[static_cast<size_t>(b * O + o)];
    h = group_norm(w, n + ".out_layers.0", h, B, O, H * W, 1e-5, true);
    h = conv2d(w, n + ".out_layers.3", h, B, O, H, W, 1, 1, nullptr, nullptr);
    const Vec skip = w.has(n + ".skip_connection.weight")
                         ? conv2d(w, n + ".skip_connection", x, B, C, H, W, 1, 0, nullptr, nullptr)
                         : x;
    for (size_t i = 0; i < h.size(); ++i) h[i] += skip[i];
    *out_ch = O;
    return h;
}

// SpatialTransformer (every transformer block present, GEGLU FF) on x [B, C, H, W],
// context [B, T, Dc]. proj_in/proj_out may be 1x1 convs (SD1) or linears (SD2, SDXL).
inline Vec transformer(const Weights& w, const std::string& n, const Vec& x, int64_t B, int64_t C,
                       int64_t HW, const Vec& context, int64_t T, int64_t heads) {
    const Vec g = group_norm(w, n + ".norm", x, B, C, HW, 1e-6, false);
    Vec tok(static_cast<size_t>(B * HW * C));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < HW; ++p)
                tok[static_cast<size_t>((b * HW + p) * C + c)] = g[static_cast<size_t>((b * C + c) * HW + p)];
    Vec h = linear(w, n + ".proj_in", tok, B * HW);
    auto add = [](Vec& a, const Vec& b) {
        for (size_t i = 0; i < a.size(); ++i) a[i] += b[i];
    };
    for (int d = 0; w.has(n + ".transformer_blocks." + std::to_string(d) + ".norm1.weight"); ++d) {
        const std::string t = n + ".transformer_blocks." + std::to_string(d);
        Vec nrm = layer_norm(w, t + ".norm1", h, B * HW, C);
        add(h, attention(w, t + ".attn1", nrm, B, HW, nrm, HW, heads));
        nrm = layer_norm(w, t + ".norm2", h, B * HW, C);
        add(h, attention(w, t + ".attn2", nrm, B, HW, context, T, heads));
        nrm = layer_norm(w, t + ".norm3", h, B * HW, C);
        const Vec f = linear(w, t + ".ff.net.0.proj", nrm, B * HW);
        const int64_t ff = static_cast<int64_t>(f.size()) / (B * HW) / 2;
        Vec gg(static_cast<size_t>(B * HW * ff));
        for (int64_t r = 0; r < B * HW; ++r)
            for (int64_t i = 0; i < ff; ++i) {
                const double a = f[static_cast<size_t>(r * 2 * ff + i)];
                const double gate = f[static_cast<size_t>(r * 2 * ff + ff + i)];
                gg[static_cast<size_t>(r * ff + i)] = a * 0.5 * gate * (1.0 + std::erf(gate / std::sqrt(2.0)));
            }
        add(h, linear(w, t + ".ff.net.2", gg, B * HW));
    }
    const Vec p = linear(w, n + ".proj_out", h, B * HW);
    Vec y(x.size());
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t q = 0; q < HW; ++q)
                y[static_cast<size_t>((b * C + c) * HW + q)] =
                    p[static_cast<size_t>((b * HW + q) * C + c)] + x[static_cast<size_t>((b * C + c) * HW + q)];
    return y;
}

inline Vec upsample_nearest(const Vec& x, int64_t B, int64_t C, int64_t H, int64_t W, int64_t Ho,
                            int64_t Wo) {
    Vec y(static_cast<size_t>(B * C * Ho * Wo));
    for (int64_t bc = 0; bc < B * C; ++bc)
        for (int64_t i = 0; i < Ho; ++i)
            for (int64_t j = 0; j < Wo; ++j)
                y[static_cast<size_t>((bc * Ho + i) * Wo + j)] =
                    x[static_cast<size_t>((bc * H + i * H / Ho) * W + j * W / Wo)];
    return y;
}

inline Vec concat(const Vec& a, int64_t Ca, const Vec& b, int64_t Cb, int64_t B, int64_t HW) {
    Vec y;
    for (int64_t n = 0; n < B; ++n) {
        y.insert(y.end(), a.begin() + n * Ca * HW, a.begin() + (n + 1) * Ca * HW);
        y.insert(y.end(), b.begin() + n * Cb * HW, b.begin() + (n + 1) * Cb * HW);
    }
    return y;
}

struct Skip { Vec v; int64_t c, h, w; };

// The four output blocks of the tiny UNets (two per level, the second of the deeper level
// upsampling) and the out layers: each block concatenates the newest skip, runs its resnet,
// a transformer with heads_at(block, channels) heads where that is not 0, and the upsampler
// (after the transformer when there is one); then GroupNorm + SiLU and the out conv.
inline Vec output_path(const Weights& w, Vec cur, int64_t C, int64_t h, int64_t wd,
                       std::vector<Skip> skips, int64_t B, const Vec& emb, const Vec& context,
                       int64_t T, const std::function<int64_t(int, int64_t)>& heads_at) {
    const std::string p = "model.diffusion_model.";
    int64_t O;
    for (int i = 0; i < 4; ++i) {
        const Skip s = skips.back();
        skips.pop_back();
        cur = concat(cur, C, s.v, s.c, B, h * wd);
        const std::string n = p + "output_blocks." + std::to_string(i);
        cur = resblock(w, n + ".0", cur, B, C + s.c, h, wd, emb, &O), C = O;
        const int64_t heads = heads_at(i, C);
        if (heads > 0) cur = transformer(w, n + ".1", cur, B, C, h * wd, context, T, heads);
        if (i == 1) {
            const Skip& next = skips.back();
            cur = upsample_nearest(cur, B, C, h, wd, next.h, next.w);
            h = next.h, wd = next.w;
            cur = conv2d(w, n + (heads > 0 ? ".2" : ".1") + ".conv", cur, B, C, h, wd, 1, 1, nullptr, nullptr);
        }
    }
    cur = group_norm(w, p + "out.0", cur, B, C, h * wd, 1e-5, true);
    return conv2d(w, p + "out.2", cur, B, C, h, wd, 1, 1, nullptr, nullptr);
}

// time_embed(sinusoid(t)) [B, 4 mc]: [cos(t f_i), sin(t f_i)], f_i = 10000^(-i/half); plus,
// when y is given, label_emb(y) = linear(SiLU(linear(y))).
inline Vec time_embedding(const Weights& w, const std::vector<double>& t, int64_t B, const Vec* y = nullptr) {
    const std::string p = "model.diffusion_model.";
    const int64_t mc = w.at(p + "input_blocks.0.0.weight").shape[0];
    const int64_t half = mc / 2;
    Vec ts(static_cast<size_t>(B * mc));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < half; ++i) {
            const double f = std::exp(-std::log(10000.0) * static_cast<double>(i) / static_cast<double>(half));
            ts[static_cast<size_t>(b * mc + i)] = std::cos(t[static_cast<size_t>(b)] * f);
            ts[static_cast<size_t>(b * mc + half + i)] = std::sin(t[static_cast<size_t>(b)] * f);
        }
    Vec emb = linear(w, p + "time_embed.0", ts, B);
    for (double& e : emb) e = silu(e);
    emb = linear(w, p + "time_embed.2", emb, B);
    if (y) {
        Vec l = linear(w, p + "label_emb.0.0", *y, B);
        for (double& e : l) e = silu(e);
        l = linear(w, p + "label_emb.0.2", l, B);
        for (size_t i = 0; i < emb.size(); ++i) emb[i] += l[i];
    }
    return emb;
}

// The default tiny test UNet (channel_mult (1, 2), one res block, attention at level 0 and in
// the middle, 8 heads), laid out by hand from the LDM module list:
//   input_blocks: 0 stem | 1 res+attn | 2 down | 3 res      middle: res attn res
//   output_blocks: 0 res | 1 res+up | 2 res+attn | 3 res+attn      out: GN SiLU conv
inline Vec tiny_unet(const Weights& w, const Vec& x, int64_t B, int64_t H, int64_t W,
                     const std::vector<double>& t, const Vec& context, int64_t T) {
    const std::string p = "model.diffusion_model.";
    const int64_t mc = w.at(p + "input_blocks.0.0.weight").shape[0];
    const Vec emb = time_embedding(w, t, B);

    const int64_t heads = 8;
    std::vector<Skip> skips;
    int64_t C = mc, h = H, wd = W;
    Vec cur = conv2d(w, p + "input_blocks.0.0", x, B, 4, H, W, 1, 1, nullptr, nullptr);
    skips.push_back({cur, C, h, wd});
    int64_t O;
    cur = resblock(w, p + "input_blocks.1.0", cur, B, C, h, wd, emb, &O), C = O;
    cur = transformer(w, p + "input_blocks.1.1", cur, B, C, h * wd, context, T, heads);
    skips.push_back({cur, C, h, wd});
    int64_t h2, w2;
    cur = conv2d(w, p + "input_blocks.2.0.op", cur, B, C, h, wd, 2, 1, &h2, &w2);
    h = h2, wd = w2;
    skips.push_back({cur, C, h, wd});
    cur = resblock(w, p + "input_blocks.3.0", cur, B, C, h, wd, emb, &O), C = O;
    skips.push_back({cur, C, h, wd});

    cur = resblock(w, p + "middle_block.0", cur, B, C, h, wd, emb, &O);
    cur = transformer(w, p + "middle_block.1", cur, B, C, h * wd, context, T, heads);
    cur = resblock(w, p + "middle_block.2", cur, B, C, h, wd, emb, &O);

    return output_path(w, cur, C, h, wd, skips, B, emb, context, T,
                       [](int i, int64_t) { return i >= 2 ? int64_t(8) : int64_t(0); });
}

// The tiny SDXL test UNet (tiny_sdxl_spec: channel_mult (1, 2), one res block, no attention
// at level 0, depth-2 transformers at level 1 and in the middle, 64-channel heads, linear
// projections, the ADM vector y [B, adm] into label_emb), laid out by hand:
//   input_blocks: 0 stem | 1 res | 2 down | 3 res+attn      middle: res attn res
//   output_blocks: 0 res+attn | 1 res+attn+up | 2 res | 3 res      out: GN SiLU conv
inline Vec tiny_sdxl_unet(const Weights& w, const Vec& x, int64_t B, int64_t H, int64_t W,
                          const std::vector<double>& t, const Vec& context, int64_t T, const Vec& y) {
    const std::string p = "model.diffusion_model.";
    const int64_t mc = w.at(p + "input_blocks.0.0.weight").shape[0];
    const Vec emb = time_embedding(w, t, B, &y);
    std::vector<Skip> skips;
    int64_t C = mc, h = H, wd = W, O, h2, w2;
    Vec cur = conv2d(w, p + "input_blocks.0.0", x, B, 4, H, W, 1, 1, nullptr, nullptr);
    skips.push_back({cur, C, h, wd});
    cur = resblock(w, p + "input_blocks.1.0", cur, B, C, h, wd, emb, &O), C = O;
    skips.push_back({cur, C, h, wd});
    cur = conv2d(w, p + "input_blocks.2.0.op", cur, B, C, h, wd, 2, 1, &h2, &w2);
    h = h2, wd = w2;
    skips.push_back({cur, C, h, wd});
    cur = resblock(w, p + "input_blocks.3.0", cur, B, C, h, wd, emb, &O), C = O;
    cur = transformer(w, p + "input_blocks.3.1", cur, B, C, h * wd, context, T, C / 64);
    skips.push_back({cur, C, h, wd});

    cur = resblock(w, p + "middle_block.0", cur, B, C, h, wd, emb, &O);
    cur = transformer(w, p + "middle_block.1", cur, B, C, h * wd, context, T, C / 64);
    cur = resblock(w, p + "middle_block.2", cur, B, C, h, wd, emb, &O);

    return output_path(w, cur, C, h, wd, skips, B, emb, context, T,
                       [](int i, int64_t C) { return i < 2 ? C / 64 : int64_t(0); });
}

}  // namespace unet_ref
