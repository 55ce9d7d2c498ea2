// The Brownian-motion stand-in for torchsde's BrownianTree, and the ancestral noise source.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "sample/brownian_noise.h"
#include "sample/torch_rng.h"

namespace {

constexpr int64_t kN = 20000;

std::vector<double> draw(sdn::BrownianNoise& w, double a, double b) {
    sdn::Tensor t({1, 1, 1, kN});
    w(a, b, t);
    return std::vector<double>(t.data(), t.data() + kN);
}

double mean(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
}

double covariance(const std::vector<double>& a, const std::vector<double>& b) {
    const double ma = mean(a), mb = mean(b);
    double s = 0;
    for (size_t i = 0; i < a.size(); ++i) s += (a[i] - ma) * (b[i] - mb);
    return s / static_cast<double>(a.size());
}

TEST(BrownianNoise, IncrementsHaveUnitVariance) {
    sdn::BrownianNoise w(7, 0.03, 14.6, {1, 1, 1, kN});
    for (auto [a, b] : {std::pair{14.6, 10.0}, std::pair{10.0, 9.5}, std::pair{0.5, 0.03}}) {
        auto n = draw(w, a, b);
        EXPECT_NEAR(mean(n), 0.0, 0.03);
        EXPECT_NEAR(covariance(n, n), 1.0, 0.05);
    }
}

TEST(BrownianNoise, IncrementsAddUpAlongThePath) {
    sdn::BrownianNoise w(11, 0.03, 14.6, {1, 1, 1, kN});
    const double a = 12.0, b = 6.0, c = 2.0;
    auto ab = draw(w, a, b), bc = draw(w, b, c), ac = draw(w, a, c);
    for (int64_t i = 0; i < 200; ++i)
        EXPECT_NEAR(ac[i] * std::sqrt(a - c), ab[i] * std::sqrt(a - b) + bc[i] * std::sqrt(b - c), 1e-4);
}

TEST(BrownianNoise, DisjointIncrementsAreUncorrelatedAndOverlappingOnesAreNot) {
    sdn::BrownianNoise w(3, 0.03, 14.6, {1, 1, 1, kN});
    auto first = draw(w, 14.6, 8.0), second = draw(w, 8.0, 3.0);
    EXPECT_NEAR(covariance(first, second), 0.0, 0.04);
    // (s -> mid) lies inside (s -> next): correlation sqrt(|mid - s| / |next - s|).
    sdn::BrownianNoise v(5, 0.03, 14.6, {1, 1, 1, kN});
    auto inner = draw(v, 4.0, 2.0), outer = draw(v, 4.0, 1.0);
    EXPECT_NEAR(covariance(inner, outer), std::sqrt(2.0 / 3.0), 0.04);
}

TEST(BrownianNoise, SeedDeterminesThePath) {
    sdn::BrownianNoise a(42, 0.03, 14.6, {1, 1, 1, kN}), b(42, 0.03, 14.6, {1, 1, 1, kN}),
        c(43, 0.03, 14.6, {1, 1, 1, kN});
    auto x = draw(a, 10.0, 5.0), y = draw(b, 10.0, 5.0), z = draw(c, 10.0, 5.0);
    EXPECT_EQ(x, y);
    EXPECT_NE(x, z);
}

TEST(AncestralNoise, IsTorchRandnSeededPlusOneContinuingPerCall) {
    sdn::AncestralNoise n(99);
    sdn::TorchGenerator g(100);
    for (int call = 0; call < 3; ++call) {
        sdn::Tensor t({1, 4, 3, 3});
        n(1.0, 0.5, t);
        auto want = g.randn(t.size());
        for (int64_t k = 0; k < t.size(); ++k) EXPECT_EQ(t.data()[k], want[k]);
    }
}

}  // namespace
