// Tiled VAE encode/decode against an independent, test-side implementation of ComfyUI's
// tiling (spec comfy-compat section 1.5): tile placement, feathered masks, weighted blend,
// the three averaged tilings and the clamp after averaging.
#include "model/vae_tiling.h"

#include <gtest/gtest.h>

#include <functional>

#include "core/error.h"
#include "model/vae_model.h"
#include "vae_test_support.h"

namespace {

using namespace vae_test;
using sdn::vae::tile_starts;

TEST(VaeTiling, TileStartsFollowRangeWithTileMinusOverlapSteps) {
    // range(0, 64 - 8, 32 - 8) = 0, 24, 48
    EXPECT_EQ(tile_starts(64, 32, 8), (std::vector<int64_t>{0, 24, 48}));
    // a dimension that fits has the single start 0
    EXPECT_EQ(tile_starts(30, 32, 8), (std::vector<int64_t>{0}));
    EXPECT_EQ(tile_starts(32, 32, 8), (std::vector<int64_t>{0}));
    // range(0, 40, 16) = 0, 16, 32
    EXPECT_EQ(tile_starts(40, 16, 0), (std::vector<int64_t>{0, 16, 32}));
    // range(0, 29, 12) = 0, 12, 24
    EXPECT_EQ(tile_starts(33, 16, 4), (std::vector<int64_t>{0, 12, 24}));
    EXPECT_EQ(sdn::vae::tile_call_count(64, 30, 32, 32, 8), 3);
    EXPECT_EQ(sdn::vae::tile_call_count(30, 30, 32, 32, 8), 1);
}

TEST(VaeTiling, OverlapNotSmallerThanTileIsRejectedWhereTilingIsNeeded) {
    try {
        tile_starts(64, 16, 16);
        FAIL() << "expected an invalid-argument error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
    }
    EXPECT_EQ(tile_starts(16, 16, 16), (std::vector<int64_t>{0}));  // fits: no stepping
}

TEST(VaeTiling, RoundHalfEvenMatchesPythonRound) {
    EXPECT_EQ(sdn::vae::round_half_even(0.5), 0);
    EXPECT_EQ(sdn::vae::round_half_even(1.5), 2);
    EXPECT_EQ(sdn::vae::round_half_even(2.5), 2);
    EXPECT_EQ(sdn::vae::round_half_even(2.4999), 2);
    EXPECT_EQ(sdn::vae::round_half_even(7.0), 7);
}

TEST(VaeTiling, FeatheredBlendOfTwoTilesByHand) {
    // One row of 10, tiles of 6 with overlap 2: starts 0 and 4. Masks along the row are
    // [0.5, 1, 1, 1, 1, 0.5] (feather 2); the height (1) is not above the feather, so no
    // ramp there. The first tile outputs 10 everywhere, the second 20.
    sdn::Context ctx = make_context();
    sdn::Tensor input({1, 1, 1, 10});
    int call = 0;
    auto fn = [&](const sdn::Tensor& crop) {
        sdn::Tensor out(crop.shape());
        const float v = ++call == 1 ? 10.0f : 20.0f;
        for (int64_t i = 0; i < out.size(); ++i) out.data()[i] = v;
        return out;
    };
    const sdn::Tensor out = sdn::vae::tiled_apply(ctx, input, 1, 6, 2, {1, 1}, 1, fn);
    EXPECT_EQ(call, 2);
    const double want[10] = {10, 10, 10, 10, (10 * 1 + 20 * 0.5) / 1.5, (10 * 0.5 + 20 * 1) / 1.5,
                             20, 20, 20, 20};
    for (int i = 0; i < 10; ++i) EXPECT_NEAR(out.data()[i], want[i], 1e-5) << i;
}

TEST(VaeTiling, PointwiseFunctionIsUnchangedByTiling) {
    // Every tile agrees on every pixel, so the weighted blend must give the plain result.
    sdn::Context ctx = make_context();
    const Map m = random_map(2, 13, 11, 3);
    auto fn = [](const sdn::Tensor& crop) {  // x8 nearest upscale, channel mix
        const int64_t h = crop.dim(2), w = crop.dim(3);
        sdn::Tensor out({1, 3, h * 8, w * 8});
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < h * 8; ++y)
                for (int64_t x = 0; x < w * 8; ++x)
                    out.data()[(c * h * 8 + y) * w * 8 + x] =
                        crop.data()[(0 * h + y / 8) * w + x / 8] * float(c + 1) -
                        crop.data()[(1 * h + y / 8) * w + x / 8];
        return out;
    };
    const sdn::Tensor in = to_tensor(m);
    const Map whole = to_map(fn(in));
    const Map tiled = to_map(sdn::vae::tiled_apply(ctx, in, 5, 4, 2, {8, 1}, 3, fn));
    EXPECT_LT(normalized_error(tiled, whole), 1e-6);
}

// ------------------------------------------------------------------ independent reference

// ComfyUI's tiled_scale_multidim for two spatial dims, in double, written from the spec:
// full-size mask per tile multiplied edge by edge, out = sum(tile * mask) / sum(mask).
Map reference_tiled(const Map& in, int64_t tile_h, int64_t tile_w, int64_t overlap, double scale,
                    int64_t out_c, const std::function<Map(const Map&)>& fn) {
    if (in.H <= tile_h && in.W <= tile_w) return fn(in);
    auto starts = [&](int64_t size, int64_t tile) {
        std::vector<int64_t> s;
        if (size <= tile) return std::vector<int64_t>{0};
        for (int64_t p = 0; p < size - overlap; p += tile - overlap) s.push_back(p);
        return s;
    };
    auto py_round = [](double v) { return double(std::nearbyint(v)); };
    const int64_t Ho = int64_t(py_round(in.H * scale)), Wo = int64_t(py_round(in.W * scale));
    Map out(out_c, Ho, Wo), div(out_c, Ho, Wo);
    for (int64_t sy : starts(in.H, tile_h))
        for (int64_t sx : starts(in.W, tile_w)) {
            const int64_t y0 = std::max<int64_t>(0, std::min(in.H - overlap, sy));
            const int64_t x0 = std::max<int64_t>(0, std::min(in.W - overlap, sx));
            const int64_t h = std::min(tile_h, in.H - y0), w = std::min(tile_w, in.W - x0);
            Map crop(in.C, h, w);
            for (int64_t c = 0; c < in.C; ++c)
                for (int64_t y = 0; y < h; ++y)
                    for (int64_t x = 0; x < w; ++x) crop.at(c, y, x) = in.at(c, y0 + y, x0 + x);
            const Map ps = fn(crop);
            Map mask(ps.C, ps.H, ps.W);
            std::fill(mask.v.begin(), mask.v.end(), 1.0);
            const int64_t feather = int64_t(py_round(overlap * scale));
            if (feather < ps.H)
                for (int64_t t = 0; t < feather; ++t)
                    for (int64_t c = 0; c < ps.C; ++c)
                        for (int64_t x = 0; x < ps.W; ++x) {
                            mask.at(c, t, x) *= double(t + 1) / feather;
                            mask.at(c, ps.H - 1 - t, x) *= double(t + 1) / feather;
                        }
            if (feather < ps.W)
                for (int64_t t = 0; t < feather; ++t)
                    for (int64_t c = 0; c < ps.C; ++c)
                        for (int64_t y = 0; y < ps.H; ++y) {
                            mask.at(c, y, t) *= double(t + 1) / feather;
                            mask.at(c, y, ps.W - 1 - t) *= double(t + 1) / feather;
                        }
            const int64_t oy = int64_t(py_round(y0 * scale)), ox = int64_t(py_round(x0 * scale));
            for (int64_t c = 0; c < ps.C; ++c)
                for (int64_t y = 0; y < ps.H; ++y)
                    for (int64_t x = 0; x < ps.W; ++x) {
                        out.at(c, oy + y, ox + x) += ps.at(c, y, x) * mask.at(c, y, x);
                        div.at(c, oy + y, ox + x) += mask.at(c, y, x);
                    }
        }
    for (size_t i = 0; i < out.v.size(); ++i) out.v[i] /= div.v[i];
    return out;
}

// A narrower, shallower tiny VAE than the model tests use: the tiling tests run it many times.
struct TinyVae {
    TinyWeights weights{7};
    std::unique_ptr<sdn::Vae> vae;
    explicit TinyVae(double residual_gain = 1.0) {
        weights.residual_gain = residual_gain;
        TinyConfig config;
        config.mult = {1, 1, 1, 1};
        config.decoder_blocks = 1;
        add_tiny_vae(weights, "", config);
        vae = sdn::Vae::load(weights.lookup(), "");
    }
};

TEST(VaeTiling, TiledDecodeMatchesTheSpecFormula) {
    TinyVae t;
    sdn::Context ctx = make_context();
    const Map z = random_map(4, 6, 5, 31);
    // tile 32 px -> 4 latents, overlap 8 px -> 1 latent; tilings (h 8, w 2), (h 2, w 8), (4, 4).
    const sdn::VaeTiling tiling{32, 8};
    const sdn::Tensor got = t.vae->decode(ctx, to_tensor(z), &tiling);
    ASSERT_EQ(got.shape(), (std::vector<int64_t>{1, 48, 40, 3}));

    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, 1 << 20);
    auto decode = [&](const Map& crop) { return to_map(t.vae->decode_raw(ctx, to_tensor(crop), progress)); };
    const Map a = reference_tiled(z, 8, 2, 1, 8.0, 3, decode);
    const Map b = reference_tiled(z, 2, 8, 1, 8.0, 3, decode);
    const Map c = reference_tiled(z, 4, 4, 1, 8.0, 3, decode);
    Map want(3, 48, 40), got_map(3, 48, 40);
    for (int64_t ch = 0; ch < 3; ++ch)
        for (int64_t y = 0; y < 48; ++y)
            for (int64_t x = 0; x < 40; ++x) {
                const double avg = (a.at(ch, y, x) + b.at(ch, y, x) + c.at(ch, y, x)) / 3.0;
                want.at(ch, y, x) = std::clamp((avg + 1.0) / 2.0, 0.0, 1.0);
                got_map.at(ch, y, x) = got.data()[(y * 40 + x) * 3 + ch];
            }
    EXPECT_LT(normalized_error(got_map, want), 1e-5);

    // The tiles really did change the result (the test would notice a whole-image pass).
    const sdn::Tensor whole = t.vae->decode(ctx, to_tensor(z));
    double diff = 0;
    for (int64_t i = 0; i < whole.size(); ++i) diff = std::max(diff, double(std::abs(whole.data()[i] - got.data()[i])));
    EXPECT_GT(diff, 1e-3);
}

TEST(VaeTiling, DecodeOverlapShrinksToAQuarterTile) {
    // tile 64 px with overlap 32: 64 < 4 * 32, so overlap becomes 16 px = 2 latents.
    TinyVae t;
    sdn::Context ctx = make_context();
    const Map z = random_map(4, 9, 5, 32);
    const sdn::VaeTiling tiling{64, 32};
    const sdn::Tensor got = t.vae->decode(ctx, to_tensor(z), &tiling);

    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, 1 << 20);
    auto decode = [&](const Map& crop) { return to_map(t.vae->decode_raw(ctx, to_tensor(crop), progress)); };
    const Map a = reference_tiled(z, 16, 4, 2, 8.0, 3, decode);
    const Map b = reference_tiled(z, 4, 16, 2, 8.0, 3, decode);
    const Map c = reference_tiled(z, 8, 8, 2, 8.0, 3, decode);
    double worst = 0;
    for (int64_t ch = 0; ch < 3; ++ch)
        for (int64_t y = 0; y < 72; ++y)
            for (int64_t x = 0; x < 40; ++x) {
                const double avg = (a.at(ch, y, x) + b.at(ch, y, x) + c.at(ch, y, x)) / 3.0;
                const double want = std::clamp((avg + 1.0) / 2.0, 0.0, 1.0);
                worst = std::max(worst, std::abs(want - got.data()[(y * 40 + x) * 3 + ch]));
            }
    EXPECT_LT(worst, 1e-5);
}

TEST(VaeTiling, TiledEncodeMatchesTheSpecFormula) {
    TinyVae t;
    sdn::Context ctx = make_context();
    // 50 x 43 crops to 48 x 40 from (1, 1); tilings (32, 32), (h 16, w 64), (h 64, w 16).
    sdn::Tensor image({1, 50, 43, 3});
    std::mt19937 rng(5);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int64_t i = 0; i < image.size(); ++i) image.data()[i] = u(rng);
    const sdn::VaeTiling tiling{32, 8};
    const sdn::Tensor got = t.vae->encode(ctx, image, &tiling);
    ASSERT_EQ(got.shape(), (std::vector<int64_t>{1, 4, 6, 5}));

    Map x(3, 48, 40);
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < 48; ++y)
            for (int64_t xx = 0; xx < 40; ++xx)
                x.at(c, y, xx) = double(image.data()[((y + 1) * 43 + xx + 1) * 3 + c]) * 2.0 - 1.0;
    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_ENCODE, 1 << 20);
    auto encode = [&](const Map& crop) { return to_map(t.vae->encode_mean(ctx, to_tensor(crop), progress)); };
    const Map a = reference_tiled(x, 32, 32, 8, 1.0 / 8, 4, encode);
    const Map b = reference_tiled(x, 16, 64, 8, 1.0 / 8, 4, encode);
    const Map c = reference_tiled(x, 64, 16, 8, 1.0 / 8, 4, encode);
    Map want(4, 6, 5);
    for (size_t i = 0; i < want.v.size(); ++i) want.v[i] = (a.v[i] + b.v[i] + c.v[i]) / 3.0;
    EXPECT_LT(normalized_error(to_map(got), want), 1e-5);
}

TEST(VaeTiling, InputThatFitsOneTileIsDecodedWhole) {
    TinyVae t;
    sdn::Context ctx = make_context();
    const Map z = random_map(4, 3, 4, 33);
    const sdn::VaeTiling tiling{512, 64};  // 64 latents: every tiling fits in one call
    const sdn::Tensor tiled = t.vae->decode(ctx, to_tensor(z), &tiling);
    const sdn::Tensor whole = t.vae->decode(ctx, to_tensor(z));
    for (int64_t i = 0; i < whole.size(); ++i) ASSERT_NEAR(tiled.data()[i], whole.data()[i], 1e-6) << i;
}

double correlation(const sdn::Tensor& a, const sdn::Tensor& b) {
    double ma = 0, mb = 0;
    const int64_t n = a.size();
    for (int64_t i = 0; i < n; ++i) ma += a.data()[i], mb += b.data()[i];
    ma /= double(n);
    mb /= double(n);
    double ab = 0, aa = 0, bb = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double da = a.data()[i] - ma, db = b.data()[i] - mb;
        ab += da * db, aa += da * da, bb += db * db;
    }
    return ab / std::sqrt(aa * bb + 1e-30);
}

Map smooth_latent(double phase) {
    Map z(4, 12, 10);
    for (int64_t c = 0; c < 4; ++c)
        for (int64_t y = 0; y < z.H; ++y)
            for (int64_t x = 0; x < z.W; ++x) z.at(c, y, x) = 0.8 * std::sin(0.25 * x + 0.15 * y + c + phase);
    return z;
}

TEST(VaeTiling, TiledDecodeIsCloseToWholeDecodeOnSmoothInput) {
    // Random weights are not trained to make tiles agree (group-norm statistics and zero
    // padding differ per tile), so "close" is measured as correlation with the whole decode,
    // against the correlation of a different smooth latent's decode as the baseline.
    TinyVae t(0.1);
    sdn::Context ctx = make_context();
    const sdn::VaeTiling tiling{80, 16};  // 10-latent tiles with 2-latent overlap
    const sdn::Tensor tiled = t.vae->decode(ctx, to_tensor(smooth_latent(0)), &tiling);
    const sdn::Tensor whole = t.vae->decode(ctx, to_tensor(smooth_latent(0)));
    const sdn::Tensor other = t.vae->decode(ctx, to_tensor(smooth_latent(1.5)));
    const double close = correlation(tiled, whole), baseline = correlation(other, whole);
    // Measured: about 0.92 against 0.18 for these weights.
    EXPECT_GT(close, 0.85);
    EXPECT_GT(close, baseline + 0.5);
}

struct StepLog {
    int events = 0, last_step = -1, total = -1;
};

void log_step(const sdn_progress_t* p, void* user) {
    auto* log = static_cast<StepLog*>(user);
    ++log->events;
    log->last_step = p->step;
    log->total = p->total;
}

TEST(VaeTiling, ProgressCountsEveryBlockOfEveryTile) {
    TinyVae t;
    sdn::Context ctx = make_context();
    StepLog log;
    ctx.set_progress_callback(log_step, &log);
    // latent 6 x 5, tile 4, overlap 1: (h 8, w 2) -> 1 x 4 calls, (h 2, w 8) -> 5 x 1,
    // (4, 4) -> 2 x 2; 13 calls per item, two items.
    const sdn::VaeTiling tiling{32, 8};
    t.vae->decode(ctx, sdn::Tensor({2, 4, 6, 5}), &tiling);
    const int total = 2 * 13 * t.vae->decode_block_count();
    EXPECT_EQ(log.total, total);
    EXPECT_EQ(log.last_step, total);
    EXPECT_EQ(log.events, total + 1);
}

TEST(VaeTiling, BadTilingIsAnInvalidArgument) {
    TinyVae t;
    sdn::Context ctx = make_context();
    sdn::Tensor image({1, 64, 64, 3});
    auto status = [&](sdn::VaeTiling tiling, bool encode) {
        try {
            if (encode)
                t.vae->encode(ctx, image, &tiling);
            else
                t.vae->decode(ctx, sdn::Tensor({1, 4, 8, 8}), &tiling);
        } catch (const sdn::Error& e) {
            return e.status();
        }
        return SDN_OK;
    };
    EXPECT_EQ(status({24, 8}, true), SDN_ERR_INVALID_ARGUMENT);   // not a multiple of 16
    EXPECT_EQ(status({32, 12}, true), SDN_ERR_INVALID_ARGUMENT);  // overlap not a multiple of 8
    EXPECT_EQ(status({32, 16}, true), SDN_ERR_INVALID_ARGUMENT);  // half tile 16 <= overlap 16
    EXPECT_EQ(status({0, 0}, false), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status({32, -8}, false), SDN_ERR_INVALID_ARGUMENT);
}

}  // namespace
