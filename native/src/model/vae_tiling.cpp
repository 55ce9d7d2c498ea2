#include "model/vae_tiling.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace sdn::vae {

int64_t round_half_even(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

std::vector<int64_t> tile_starts(int64_t size, int64_t tile, int64_t overlap) {
    SDN_REQUIRE(size > 0 && tile > 0 && overlap >= 0, SDN_ERR_INVALID_ARGUMENT,
                "tiling: size and tile must be positive and overlap non-negative");
    if (size <= tile) return {0};
    SDN_REQUIRE(tile > overlap, SDN_ERR_INVALID_ARGUMENT,
                "tiling: a tile of " + std::to_string(tile) + " must be larger than the overlap " +
                    std::to_string(overlap));
    std::vector<int64_t> starts;
    for (int64_t p = 0; p < size - overlap; p += tile - overlap) starts.push_back(p);
    return starts;
}

int64_t tile_call_count(int64_t H, int64_t W, int64_t tile_h, int64_t tile_w, int64_t overlap) {
    if (H <= tile_h && W <= tile_w) return 1;
    return static_cast<int64_t>(tile_starts(H, tile_h, overlap).size() *
                                tile_starts(W, tile_w, overlap).size());
}

namespace {

int64_t scaled(int64_t v, TileScale s) {
    return round_half_even(static_cast<double>(v) * static_cast<double>(s.num) /
                           static_cast<double>(s.den));
}

// The feather weights along one edge-to-edge span of `length` output units.
std::vector<float> feather_ramp(int64_t length, int64_t feather) {
    std::vector<float> m(static_cast<size_t>(length), 1.0f);
    if (feather >= length) return m;
    for (int64_t t = 0; t < feather; ++t) {
        const float a = static_cast<float>(static_cast<double>(t + 1) / static_cast<double>(feather));
        m[static_cast<size_t>(t)] *= a;
        m[static_cast<size_t>(length - 1 - t)] *= a;
    }
    return m;
}

Tensor crop(const Tensor& x, int64_t y0, int64_t h, int64_t x0, int64_t w) {
    const int64_t C = x.dim(1), H = x.dim(2), W = x.dim(3);
    Tensor out({1, C, h, w});
    for (int64_t c = 0; c < C; ++c)
        for (int64_t r = 0; r < h; ++r)
            std::memcpy(out.data() + (c * h + r) * w, x.data() + (c * H + y0 + r) * W + x0,
                        sizeof(float) * static_cast<size_t>(w));
    return out;
}

}  // namespace

Tensor tiled_apply(Context& ctx, const Tensor& input, int64_t tile_h, int64_t tile_w,
                   int64_t overlap, TileScale scale, int64_t out_channels,
                   const TileFunction& fn) {
    SDN_REQUIRE(input.n_dims() == 4 && input.dim(0) == 1, SDN_ERR_INVALID_ARGUMENT,
                "tiling: expected one item [1, C, H, W], got " + input.shape_string());
    const int64_t H = input.dim(2), W = input.dim(3);
    const int64_t Ho = scaled(H, scale), Wo = scaled(W, scale);
    auto check_output = [&](const Tensor& t, int64_t h, int64_t w) {
        SDN_REQUIRE(t.n_dims() == 4 && t.dim(0) == 1 && t.dim(1) == out_channels &&
                        t.dim(2) == h && t.dim(3) == w,
                    SDN_ERR_INTERNAL, "tiling: tile output " + t.shape_string() + " has the wrong shape");
    };

    if (H <= tile_h && W <= tile_w) {
        Tensor whole = fn(input);
        check_output(whole, Ho, Wo);
        return whole;
    }

    const std::vector<int64_t> ys = tile_starts(H, tile_h, overlap);
    const std::vector<int64_t> xs = tile_starts(W, tile_w, overlap);
    const int64_t feather = scaled(overlap, scale);
    Tensor sum({1, out_channels, Ho, Wo});
    Tensor weight({Ho, Wo});  // the mask is the same for every channel

    for (int64_t y_listed : ys) {
        const int64_t y0 = std::max<int64_t>(0, std::min(H - overlap, y_listed));
        const int64_t h = std::min(tile_h, H - y0);
        for (int64_t x_listed : xs) {
            const int64_t x0 = std::max<int64_t>(0, std::min(W - overlap, x_listed));
            const int64_t w = std::min(tile_w, W - x0);
            Tensor part = fn(crop(input, y0, h, x0, w));
            const int64_t ph = part.n_dims() == 4 ? part.dim(2) : 0;
            const int64_t pw = part.n_dims() == 4 ? part.dim(3) : 0;
            check_output(part, ph, pw);
            const int64_t oy = scaled(y0, scale), ox = scaled(x0, scale);
            SDN_REQUIRE(oy + ph <= Ho && ox + pw <= Wo, SDN_ERR_INTERNAL,
                        "tiling: a tile's output reaches past the image");
            const std::vector<float> mh = feather_ramp(ph, feather);
            const std::vector<float> mw = feather_ramp(pw, feather);
            ctx.pool().parallel_range(ph, [&](int64_t begin, int64_t end, int) {
                for (int64_t r = begin; r < end; ++r) {
                    float* wrow = weight.data() + (oy + r) * Wo + ox;
                    for (int64_t c = 0; c < pw; ++c) wrow[c] += mh[r] * mw[c];
                    for (int64_t ch = 0; ch < out_channels; ++ch) {
                        const float* src = part.data() + (ch * ph + r) * pw;
                        float* dst = sum.data() + (ch * Ho + oy + r) * Wo + ox;
                        for (int64_t c = 0; c < pw; ++c) dst[c] += src[c] * (mh[r] * mw[c]);
                    }
                }
            });
        }
    }

    const int64_t plane = Ho * Wo;
    for (int64_t ch = 0; ch < out_channels; ++ch) {
        float* dst = sum.data() + ch * plane;
        for (int64_t i = 0; i < plane; ++i) dst[i] /= weight.data()[i];
    }
    return sum;
}

}  // namespace sdn::vae
