// A double-precision TAESD, written from the layer lists of the released encoder and decoder
// (not from the engine code), over weights held in a vae_test::TinyWeights. One item at a
// time, channel-major (vae_test::Map).
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "vae_test_support.h"

namespace taesd_test {

using vae_test::Map;
using vae_test::TinyWeights;

class TaesdReference {
public:
    explicit TaesdReference(const TinyWeights& w) : w_(w) {}

    // Convolution with zero padding k/2 and any stride; the bias when the weights have one.
    Map conv(const Map& x, const std::string& name, int stride = 1) const {
        const auto& s = w_.shape(name + ".weight");
        const int64_t O = s[0], k = s[2], r = k / 2;
        const std::vector<double> wt = w_.values(name + ".weight");
        const bool biased = w_.has(name + ".bias");
        const std::vector<double> b = biased ? w_.values(name + ".bias") : std::vector<double>();
        Map y(O, (x.H + 2 * r - k) / stride + 1, (x.W + 2 * r - k) / stride + 1);
        for (int64_t o = 0; o < O; ++o)
            for (int64_t py = 0; py < y.H; ++py)
                for (int64_t px = 0; px < y.W; ++px) {
                    double acc = biased ? b[size_t(o)] : 0.0;
                    for (int64_t c = 0; c < x.C; ++c)
                        for (int64_t dy = 0; dy < k; ++dy)
                            for (int64_t dx = 0; dx < k; ++dx) {
                                const int64_t sy = py * stride + dy - r, sx = px * stride + dx - r;
                                if (sy >= 0 && sy < x.H && sx >= 0 && sx < x.W)
                                    acc += wt[size_t(((o * x.C + c) * k + dy) * k + dx)] * x.at(c, sy, sx);
                            }
                    y.at(o, py, px) = acc;
                }
        return y;
    }
    static Map relu(Map x) {
        for (double& v : x.v) v = std::max(v, 0.0);
        return x;
    }
    // relu(conv4(relu(conv2(relu(conv0(x))))) + skip(x)), skip = identity or the 1x1 conv.
    Map block(const Map& x, int index) const {
        const std::string n = std::to_string(index);
        Map h = conv(relu(conv(relu(conv(x, n + ".conv.0")), n + ".conv.2")), n + ".conv.4");
        const Map skip = w_.has(n + ".skip.weight") ? conv(x, n + ".skip") : x;
        for (size_t i = 0; i < h.v.size(); ++i) h.v[i] += skip.v[i];
        return relu(h);
    }
    static Map nearest2x(const Map& x) {
        Map y(x.C, 2 * x.H, 2 * x.W);
        for (int64_t c = 0; c < y.C; ++c)
            for (int64_t py = 0; py < y.H; ++py)
                for (int64_t px = 0; px < y.W; ++px) y.at(c, py, px) = x.at(c, py / 2, px / 2);
        return y;
    }

    // Clamp tanh(x/3)*3, conv 1, ReLU, blocks 3-5 | 8-10 | 13-15 each followed by nearest x2 and
    // conv 7 | 12 | 17, block 18, conv 19.
    Map decoder(Map x) const {
        for (double& v : x.v) v = std::tanh(v / 3.0) * 3.0;
        Map h = relu(conv(x, "1"));
        for (int b : {3, 4, 5, 8, 9, 10, 13, 14, 15, 18}) {
            h = block(h, b);
            if (b == 5 || b == 10 || b == 15) h = conv(nearest2x(h), std::to_string(b + 2));
        }
        return conv(h, "19");
    }
    // conv 0, block 1, then stride-2 conv 2 | 6 | 10 each followed by three blocks, conv 14.
    Map encoder(const Map& image) const {
        Map h = block(conv(image, "0"), 1);
        for (int down : {2, 6, 10}) {
            h = conv(h, std::to_string(down), 2);
            for (int k = 1; k <= 3; ++k) h = block(h, down + k);
        }
        return conv(h, "14");
    }

private:
    const TinyWeights& w_;
};

}  // namespace taesd_test
