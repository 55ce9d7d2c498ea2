// The K-quant fit (quant/kquant_fit.cpp) through quantize_row_reference: every value decodes
// to the nearest point of its sub-block's stored grid (read back from the bytes by hand with
// the GGUF layouts), data that lies on a representable grid comes back exactly, and the RMS
// error on Gaussian and heavy-tailed rows is no worse than that of the GGUF tools' own search
// (re-implemented independently in ggml_kquant_reference.h; ours is 2-17 % lower there).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ggml_kquant_reference.h"
#include "quant/block_layouts.h"
#include "quant/row_ops.h"
#include "quant_test_data.h"

namespace {

using sdn::DType;
namespace q = sdn::quant;

const DType kKQuants[] = {DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K};

std::vector<float> roundtrip(DType t, const std::vector<float>& x, std::vector<uint8_t>* bytes = nullptr) {
    std::vector<uint8_t> b(static_cast<size_t>(sdn::dtype_row_bytes(t, static_cast<int64_t>(x.size()))));
    sdn::quantize_row_reference(t, x.data(), b.data(), static_cast<int64_t>(x.size()));
    std::vector<float> y(x.size());
    sdn::dequantize_row_reference(t, b.data(), y.data(), static_cast<int64_t>(x.size()));
    if (bytes) *bytes = std::move(b);
    return y;
}

// One sub-block's grid as stored: value = step * q + offset, q in lo..hi.
struct Grid {
    float step, offset;
    int lo, hi;
};

// Reads sub-block s's grid out of a super-block, following block_layouts.h.
Grid grid_of(DType t, const uint8_t* b, int s) {
    uint8_t sc = 0, mn = 0;
    switch (t) {
        case DType::Q2_K:
            return {q::load_f16(b + q::q2k::d) * float(b[q::q2k::scales + s] & 15),
                    -q::load_f16(b + q::q2k::dmin) * float(b[q::q2k::scales + s] >> 4), 0, 3};
        case DType::Q3_K: return {q::load_f16(b + q::q3k::d) * float(q::k3_scale(s, b + q::q3k::scales)), 0, -4, 3};
        case DType::Q4_K:
            q::k4_scale_min(s, b + q::q4k::scales, sc, mn);
            return {q::load_f16(b + q::q4k::d) * sc, -q::load_f16(b + q::q4k::dmin) * mn, 0, 15};
        case DType::Q5_K:
            q::k4_scale_min(s, b + q::q5k::scales, sc, mn);
            return {q::load_f16(b + q::q5k::d) * sc, -q::load_f16(b + q::q5k::dmin) * mn, 0, 31};
        default:
            return {q::load_f16(b + q::q6k::d) * float(static_cast<int8_t>(b[q::q6k::scales + s])), 0, -32, 31};
    }
}

int sub_len(DType t) { return t == DType::Q4_K || t == DType::Q5_K ? 32 : 16; }

TEST(KQuantFit, EveryValueIsTheNearestPointOfItsStoredGrid) {
    for (DType t : kKQuants) {
        const auto& tr = sdn::dtype_traits(t);
        for (const auto& ds : quant_test::datasets(256 * 6, 4321)) {
            std::vector<uint8_t> bytes;
            const auto y = roundtrip(t, ds.values, &bytes);
            for (size_t i = 0; i < y.size(); ++i) {
                const uint8_t* block = bytes.data() + (i / 256) * static_cast<size_t>(tr.block_bytes);
                const Grid g = grid_of(t, block, static_cast<int>(i % 256) / sub_len(t));
                const float x = ds.values[i];
                double nearest = std::fabs(double(g.offset) - x);
                for (int l = g.lo; l <= g.hi; ++l)
                    nearest = std::min(nearest, std::fabs(double(g.step) * l + g.offset - x));
                const double tol = 1e-6 * (std::fabs(g.step) * (g.hi - g.lo) + std::fabs(g.offset)) + 1e-12;
                ASSERT_LE(std::fabs(double(y[i]) - x), nearest + tol)
                    << tr.name << " " << ds.name << " value " << i << ": " << x << " -> " << y[i];
            }
        }
    }
}

TEST(KQuantFit, ZerosAndConstantsComeBackUpToTheF16Scale) {
    for (DType t : kKQuants) {
        for (float c : {0.0f, 0.75f, -0.5f}) {
            const std::vector<float> x(512, c);
            const auto y = roundtrip(t, x);
            // A constant is one grid point: its step/offset is an f16 (<= 2^-11 relative error).
            for (size_t i = 0; i < y.size(); ++i)
                ASSERT_NEAR(y[i], c, std::fabs(c) / 2048 + 1e-7) << sdn::dtype_traits(t).name << " " << c;
        }
    }
}

// Values built on a grid the format can store exactly (power-of-two super-scales, integer
// sub-block scales, both end levels present in every sub-block) must come back bit-exact.
TEST(KQuantFit, DataOnARepresentableGridRoundTripsExactly) {
    struct Case {
        DType t;
        int len, lo, hi, smax;  // levels lo..hi, scales up to smax (symmetric: -smax)
        bool symmetric;
    };
    for (Case c : {Case{DType::Q2_K, 16, 0, 3, 15, false}, Case{DType::Q4_K, 32, 0, 15, 63, false},
                   Case{DType::Q5_K, 32, 0, 31, 63, false}, Case{DType::Q3_K, 16, -4, 3, 32, true},
                   Case{DType::Q6_K, 16, -32, 31, 128, true}}) {
        const float d = 1.0f / 1024, dmin = 1.0f / 4096;
        std::vector<float> x(256);
        for (int s = 0; s < 256 / c.len; ++s) {
            // Sub-block 0 takes the largest scale (and min) so the super-scales are d and dmin.
            const int sc = c.symmetric ? -c.smax + 3 * s : c.smax - s;
            const int mn = c.symmetric ? 0 : (s == 0 ? c.smax : (5 * s) % (c.smax + 1));
            for (int i = 0; i < c.len; ++i) {
                const int level = i == 0 ? c.lo : i == 1 ? c.hi : c.lo + (i * 7 + s) % (c.hi - c.lo + 1);
                x[static_cast<size_t>(s * c.len + i)] = d * float(sc) * float(level) - dmin * float(mn);
            }
        }
        const auto y = roundtrip(c.t, x);
        for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(y[i], x[i]) << sdn::dtype_traits(c.t).name << " value " << i;
    }
}

double rms_error(const std::vector<float>& x, const std::vector<float>& y) {
    double se = 0;
    for (size_t i = 0; i < x.size(); ++i) se += (double(y[i]) - x[i]) * (double(y[i]) - x[i]);
    return std::sqrt(se / static_cast<double>(x.size()));
}

// Weight-like rows: Gaussian (what initialised and trained conv/linear weights mostly look
// like) and Student-t with 3 degrees of freedom (heavy tails, like weights with outliers).
std::vector<std::vector<float>> weight_like_rows() {
    std::mt19937 rng(2024);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::student_t_distribution<float> heavy(3.0f);
    std::vector<float> gauss(256 * 64), tails(256 * 64);
    for (float& v : gauss) v = normal(rng);
    for (float& v : tails) v = 0.01f * heavy(rng);
    return {gauss, tails};
}

TEST(KQuantFit, RmsErrorIsNoWorseThanTheGgufToolsSearch) {
    for (DType t : kKQuants) {
        for (const auto& x : weight_like_rows()) {
            const double ours = rms_error(x, roundtrip(t, x));
            const double tools = rms_error(x, ggml_ref::roundtrip(t, x));
            EXPECT_LE(ours, tools) << sdn::dtype_traits(t).name << ": ours " << ours << ", tools " << tools;
            std::printf("%s: rms ours %.4g, tools' search %.4g (%.3fx)\n", sdn::dtype_traits(t).name, ours, tools,
                        ours / tools);
        }
    }
}

}  // namespace
