// Helpers for the VAE tests: tiny random autoencoder weights held in memory and served
// through a WeightLookup, and a plain double-precision reference of every VAE block written
// from the architecture description (not from the engine code), for single items [C, H, W].
#pragma once

#include "support/float32_variant.h"
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/cpu_features.h"
#include "core/half.h"
#include "core/tensor.h"
#include "cpu/cpu_backend.h"
#include "model/weight_lookup.h"
#include "quant/dtype.h"
#include "support/backend_tensors.h"

namespace vae_test {

// ------------------------------------------------------------------ weights in memory

class TinyWeights {
public:
    explicit TinyWeights(uint32_t seed = 1234, sdn::DType type = sdn::DType::F32)
        : rng_(seed), type_(type) {}

    // Values drawn from N(mean, scale^2).
    void add_random(const std::string& name, std::vector<int64_t> shape, double scale,
                    double mean = 0.0) {
        int64_t n = 1;
        for (int64_t d : shape) n *= d;
        std::normal_distribution<double> normal(mean, scale);
        std::vector<float> v(static_cast<size_t>(n));
        for (float& x : v) x = static_cast<float>(normal(rng_));
        add_values(name, std::move(shape), v);
    }

    void add_values(const std::string& name, std::vector<int64_t> shape,
                    const std::vector<float>& values) {
        auto e = std::make_unique<Entry>();
        e->ref.type = type_;
        e->ref.shape = std::move(shape);
        if (type_ == sdn::DType::F16) {
            for (float x : values) e->f16.push_back(sdn::f32_to_f16(x));
            e->ref.data = e->f16.data();
            e->ref.nbytes = static_cast<int64_t>(e->f16.size() * 2);
        } else {
            e->f32 = values;
            e->ref.data = e->f32.data();
            e->ref.nbytes = static_cast<int64_t>(e->f32.size() * 4);
        }
        entries_[name] = std::move(e);
    }

    void remove(const std::string& name) { entries_.erase(name); }
    bool has(const std::string& name) const { return entries_.count(name) != 0; }
    const std::vector<int64_t>& shape(const std::string& name) const {
        return entries_.at(name)->ref.shape;
    }

    // The values exactly as stored (f16 rounding included), in double.
    std::vector<double> values(const std::string& name) const {
        const Entry& e = *entries_.at(name);
        std::vector<double> out;
        if (e.ref.type == sdn::DType::F16)
            for (uint16_t h : e.f16) out.push_back(sdn::f16_to_f32(h));
        else
            for (float x : e.f32) out.push_back(x);
        return out;
    }

    // The lookup holds a pointer to this object, which must outlive it.
    sdn::WeightLookup lookup() const {
        return [this](const std::string& name) -> const sdn::WeightRef* {
            auto it = entries_.find(name);
            return it == entries_.end() ? nullptr : &it->second->ref;
        };
    }

    // All names, for writing files.
    std::vector<std::string> names() const {
        std::vector<std::string> n;
        for (const auto& [k, v] : entries_) n.push_back(k);
        return n;
    }
    const sdn::WeightRef& ref(const std::string& name) const { return entries_.at(name)->ref; }

    // Layers with variance-preserving scales so activations stay O(1) through the network.
    // Scales the last layer of every residual branch (resnet conv2, attention proj_out):
    // below 1 the network is closer to its skip paths, smoother and more local.
    double residual_gain = 1.0;

    void add_conv(const std::string& name, int64_t out, int64_t in, int64_t k, double gain = 1.0) {
        add_random(name + ".weight", {out, in, k, k}, gain / std::sqrt(double(in * k * k)));
        add_random(name + ".bias", {out}, 0.1);
    }
    void add_norm(const std::string& name, int64_t c) {
        add_random(name + ".weight", {c}, 0.1, 1.0);
        add_random(name + ".bias", {c}, 0.1);
    }
    void add_resnet(const std::string& name, int64_t in, int64_t out) {
        add_norm(name + ".norm1", in);
        add_conv(name + ".conv1", out, in, 3);
        add_norm(name + ".norm2", out);
        add_conv(name + ".conv2", out, out, 3, residual_gain);
        if (in != out) add_conv(name + ".nin_shortcut", out, in, 1);
    }
    void add_attention(const std::string& name, int64_t c, bool linear_shaped = false) {
        add_norm(name + ".norm", c);
        for (const char* p : {"q", "k", "v", "proj_out"}) {
            const std::string n = name + "." + p;
            const double gain = std::string(p) == "proj_out" ? residual_gain : 1.0;
            if (linear_shaped)
                add_random(n + ".weight", {c, c}, gain / std::sqrt(double(c)));
            else
                add_random(n + ".weight", {c, c, 1, 1}, gain / std::sqrt(double(c)));
            add_random(n + ".bias", {c}, 0.1);
        }
    }

private:
    struct Entry {
        sdn::WeightRef ref;
        std::vector<float> f32;
        std::vector<uint16_t> f16;
    };
    std::mt19937 rng_;
    sdn::DType type_;
    std::map<std::string, std::unique_ptr<Entry>> entries_;
};

// The tiny autoencoder the tests use: the SD layout with widths (32, 64, 64, 64), so the
// spatial factor is still 8, with few blocks per level.
struct TinyConfig {
    int64_t ch = 32;
    std::vector<int64_t> mult = {1, 2, 2, 2};
    int encoder_blocks = 1;
    int decoder_blocks = 2;
    int64_t z = 4;
};

inline void add_tiny_vae(TinyWeights& w, const std::string& prefix, const TinyConfig& c = {},
                         bool linear_attention = false) {
    const int levels = static_cast<int>(c.mult.size());
    const std::string e = prefix + "encoder.";
    w.add_conv(e + "conv_in", c.ch, 3, 3);
    int64_t ch = c.ch;
    for (int i = 0; i < levels; ++i) {
        const std::string l = e + "down." + std::to_string(i);
        for (int j = 0; j < c.encoder_blocks; ++j) {
            w.add_resnet(l + ".block." + std::to_string(j), ch, c.ch * c.mult[i]);
            ch = c.ch * c.mult[i];
        }
        if (i + 1 < levels) w.add_conv(l + ".downsample.conv", ch, ch, 3);
    }
    w.add_resnet(e + "mid.block_1", ch, ch);
    w.add_attention(e + "mid.attn_1", ch, linear_attention);
    w.add_resnet(e + "mid.block_2", ch, ch);
    w.add_norm(e + "norm_out", ch);
    w.add_conv(e + "conv_out", 2 * c.z, ch, 3);
    w.add_conv(prefix + "quant_conv", 2 * c.z, 2 * c.z, 1);

    const std::string d = prefix + "decoder.";
    ch = c.ch * c.mult.back();
    w.add_conv(d + "conv_in", ch, c.z, 3);
    w.add_resnet(d + "mid.block_1", ch, ch);
    w.add_attention(d + "mid.attn_1", ch, linear_attention);
    w.add_resnet(d + "mid.block_2", ch, ch);
    for (int i = levels - 1; i >= 0; --i) {
        const std::string l = d + "up." + std::to_string(i);
        for (int j = 0; j < c.decoder_blocks; ++j) {
            w.add_resnet(l + ".block." + std::to_string(j), ch, c.ch * c.mult[i]);
            ch = c.ch * c.mult[i];
        }
        if (i != 0) w.add_conv(l + ".upsample.conv", ch, ch, 3);
    }
    w.add_norm(d + "norm_out", ch);
    w.add_conv(d + "conv_out", 3, ch, 3);
    w.add_conv(prefix + "post_quant_conv", c.z, c.z, 1);
}

// ------------------------------------------------------------------ double reference

// One item, channel-major: v[(c * H + y) * W + x].
struct Map {
    int64_t C = 0, H = 0, W = 0;
    std::vector<double> v;
    Map() = default;
    Map(int64_t c, int64_t h, int64_t w) : C(c), H(h), W(w), v(size_t(c * h * w), 0.0) {}
    double& at(int64_t c, int64_t y, int64_t x) { return v[size_t((c * H + y) * W + x)]; }
    double at(int64_t c, int64_t y, int64_t x) const { return v[size_t((c * H + y) * W + x)]; }
};

class Reference {
public:
    explicit Reference(const TinyWeights& w) : w_(w) {}

    // Zero padding top/left/bottom/right, then a k x k convolution with the given stride.
    Map conv(const Map& x, const std::string& name, int stride, int pt, int pl, int pb,
             int pr) const {
        const auto& shape = w_.shape(name + ".weight");
        const int64_t O = shape[0], C = shape[1], k = shape.size() == 4 ? shape[2] : 1;
        EXPECT_EQ(C, x.C) << name;
        const std::vector<double> wt = w_.values(name + ".weight");
        const std::vector<double> b = w_.values(name + ".bias");
        const int64_t Ho = (x.H + pt + pb - k) / stride + 1;
        const int64_t Wo = (x.W + pl + pr - k) / stride + 1;
        Map y(O, Ho, Wo);
        for (int64_t o = 0; o < O; ++o)
            for (int64_t oy = 0; oy < Ho; ++oy)
                for (int64_t ox = 0; ox < Wo; ++ox) {
                    double s = b[size_t(o)];
                    for (int64_t c = 0; c < C; ++c)
                        for (int64_t ky = 0; ky < k; ++ky) {
                            const int64_t iy = oy * stride + ky - pt;
                            if (iy < 0 || iy >= x.H) continue;
                            for (int64_t kx = 0; kx < k; ++kx) {
                                const int64_t ix = ox * stride + kx - pl;
                                if (ix < 0 || ix >= x.W) continue;
                                s += wt[size_t(((o * C + c) * k + ky) * k + kx)] * x.at(c, iy, ix);
                            }
                        }
                    y.at(o, oy, ox) = s;
                }
        return y;
    }
    Map conv_same(const Map& x, const std::string& name) const {
        const int64_t k = w_.shape(name + ".weight")[2];
        const int p = k == 3 ? 1 : 0;
        return conv(x, name, 1, p, p, p, p);
    }

    // GroupNorm(32, eps 1e-6) with affine parameters, optionally followed by SiLU.
    Map group_norm(const Map& x, const std::string& name, bool silu) const {
        const std::vector<double> g = w_.values(name + ".weight");
        const std::vector<double> b = w_.values(name + ".bias");
        const int64_t G = 32, per = x.C / G, hw = x.H * x.W;
        Map y(x.C, x.H, x.W);
        for (int64_t grp = 0; grp < G; ++grp) {
            double mean = 0, var = 0;
            const int64_t n = per * hw;
            for (int64_t i = 0; i < n; ++i) mean += x.v[size_t(grp * n + i)];
            mean /= double(n);
            for (int64_t i = 0; i < n; ++i) {
                const double d = x.v[size_t(grp * n + i)] - mean;
                var += d * d;
            }
            var /= double(n);
            const double inv = 1.0 / std::sqrt(var + 1e-6);
            for (int64_t i = 0; i < n; ++i) {
                const int64_t c = grp * per + i / hw;
                double t = (x.v[size_t(grp * n + i)] - mean) * inv * g[size_t(c)] + b[size_t(c)];
                if (silu) t = t / (1.0 + std::exp(-t));
                y.v[size_t(grp * n + i)] = t;
            }
        }
        return y;
    }

    Map resnet(const Map& x, const std::string& name) const {
        Map h = conv_same(group_norm(x, name + ".norm1", true), name + ".conv1");
        h = conv_same(group_norm(h, name + ".norm2", true), name + ".conv2");
        const Map skip = w_.has(name + ".nin_shortcut.weight") ? conv_same(x, name + ".nin_shortcut") : x;
        for (size_t i = 0; i < h.v.size(); ++i) h.v[i] += skip.v[i];
        return h;
    }

    // out = x + proj_out(softmax(q k^T / sqrt(C)) v), one head over all positions.
    Map attention(const Map& x, const std::string& name) const {
        const Map h = group_norm(x, name + ".norm", false);
        auto project = [&](const Map& in, const std::string& p) {
            const std::vector<double> wt = w_.values(name + "." + p + ".weight");
            const std::vector<double> b = w_.values(name + "." + p + ".bias");
            Map out(in.C, in.H, in.W);
            const int64_t n = in.H * in.W;
            for (int64_t o = 0; o < in.C; ++o)
                for (int64_t i = 0; i < n; ++i) {
                    double s = b[size_t(o)];
                    for (int64_t c = 0; c < in.C; ++c) s += wt[size_t(o * in.C + c)] * in.v[size_t(c * n + i)];
                    out.v[size_t(o * n + i)] = s;
                }
            return out;
        };
        const Map q = project(h, "q"), k = project(h, "k"), v = project(h, "v");
        const int64_t C = x.C, n = x.H * x.W;
        Map a(C, x.H, x.W);
        std::vector<double> scores(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
            double mx = -1e300;
            for (int64_t j = 0; j < n; ++j) {
                double s = 0;
                for (int64_t c = 0; c < C; ++c) s += q.v[size_t(c * n + i)] * k.v[size_t(c * n + j)];
                scores[size_t(j)] = s / std::sqrt(double(C));
                mx = std::max(mx, scores[size_t(j)]);
            }
            double total = 0;
            for (double& s : scores) total += (s = std::exp(s - mx));
            for (int64_t c = 0; c < C; ++c) {
                double acc = 0;
                for (int64_t j = 0; j < n; ++j) acc += scores[size_t(j)] * v.v[size_t(c * n + j)];
                a.v[size_t(c * n + i)] = acc / total;
            }
        }
        Map out = project(a, "proj_out");
        for (size_t i = 0; i < out.v.size(); ++i) out.v[i] += x.v[i];
        return out;
    }

    // SD's Downsample: pad right and bottom by one, 3x3 conv, stride 2, no other padding.
    Map downsample(const Map& x, const std::string& name) const {
        return conv(x, name + ".conv", 2, 0, 0, 1, 1);
    }
    Map upsample(const Map& x, const std::string& name) const {
        Map big(x.C, 2 * x.H, 2 * x.W);
        for (int64_t c = 0; c < x.C; ++c)
            for (int64_t y = 0; y < big.H; ++y)
                for (int64_t xx = 0; xx < big.W; ++xx) big.at(c, y, xx) = x.at(c, y / 2, xx / 2);
        return conv_same(big, name + ".conv");
    }

    // encoder + quant_conv, first half of the moments. x in -1..1.
    Map encode_mean(const Map& x, const std::string& prefix, const TinyConfig& c) const {
        const std::string e = prefix + "encoder.";
        const int levels = int(c.mult.size());
        Map h = conv_same(x, e + "conv_in");
        for (int i = 0; i < levels; ++i) {
            const std::string l = e + "down." + std::to_string(i);
            for (int j = 0; j < c.encoder_blocks; ++j) h = resnet(h, l + ".block." + std::to_string(j));
            if (i + 1 < levels) h = downsample(h, l + ".downsample");
        }
        h = resnet(h, e + "mid.block_1");
        h = attention(h, e + "mid.attn_1");
        h = resnet(h, e + "mid.block_2");
        h = conv_same(group_norm(h, e + "norm_out", true), e + "conv_out");
        h = conv_same(h, prefix + "quant_conv");
        Map mean(c.z, h.H, h.W);
        std::copy(h.v.begin(), h.v.begin() + long(mean.v.size()), mean.v.begin());
        return mean;
    }

    // post_quant_conv + decoder, unclamped.
    Map decode_raw(const Map& z, const std::string& prefix, const TinyConfig& c) const {
        const std::string d = prefix + "decoder.";
        const int levels = int(c.mult.size());
        Map h = conv_same(conv_same(z, prefix + "post_quant_conv"), d + "conv_in");
        h = resnet(h, d + "mid.block_1");
        h = attention(h, d + "mid.attn_1");
        h = resnet(h, d + "mid.block_2");
        for (int i = levels - 1; i >= 0; --i) {
            const std::string l = d + "up." + std::to_string(i);
            for (int j = 0; j < c.decoder_blocks; ++j) h = resnet(h, l + ".block." + std::to_string(j));
            if (i != 0) h = upsample(h, l + ".upsample");
        }
        return conv_same(group_norm(h, d + "norm_out", true), d + "conv_out");
    }

private:
    const TinyWeights& w_;
};

// ------------------------------------------------------------------ conversions, comparison

inline Map random_map(int64_t c, int64_t h, int64_t w, uint32_t seed, double scale = 1.0) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, scale);
    Map m(c, h, w);
    for (double& v : m.v) v = static_cast<float>(normal(rng));  // representable in f32
    return m;
}

// [1, C, H, W] engine tensor <-> one-item map.
inline sdn::Tensor to_tensor(const Map& m) {
    sdn::Tensor t({1, m.C, m.H, m.W});
    for (size_t i = 0; i < m.v.size(); ++i) t.data()[i] = static_cast<float>(m.v[i]);
    return t;
}
inline Map to_map(const sdn::Tensor& t, int64_t item = 0) {
    EXPECT_EQ(t.n_dims(), 4);
    Map m(t.dim(1), t.dim(2), t.dim(3));
    const float* src = t.data() + item * int64_t(m.v.size());
    for (size_t i = 0; i < m.v.size(); ++i) m.v[i] = src[i];
    return m;
}

// max |a - b| / max |b|: the error relative to the reference's own scale.
inline double normalized_error(const Map& a, const Map& ref) {
    EXPECT_EQ(a.C, ref.C);
    EXPECT_EQ(a.H, ref.H);
    EXPECT_EQ(a.W, ref.W);
    if (a.v.size() != ref.v.size()) return 1e30;
    double diff = 0, scale = 1e-12;
    for (size_t i = 0; i < a.v.size(); ++i) {
        diff = std::max(diff, std::abs(a.v[i] - ref.v[i]));
        scale = std::max(scale, std::abs(ref.v[i]));
    }
    return diff / scale;
}

inline sdn::Context make_context() {
    return sdn::Context(2, sdn_test::float32_cpu_variant(), &sdn::cpu::make_cpu_backend);
}

}  // namespace vae_test
