// Every sampler against an independent re-derivation of its update in plain double
// arithmetic, driven by the analytic denoiser D(x, sigma) = x / (1 + sigma^2) (the exact
// denoiser for unit-Gaussian data) and a fixed, call-indexed noise sequence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "sample/samplers/sampler.h"
#include "sample/schedulers.h"

namespace {

using V = std::vector<double>;

constexpr int kN = 6;

double analytic_denoise(double x, double sigma) { return x / (1.0 + sigma * sigma); }
// The noise of the c-th noise call, element k.
double fixed_noise(int c, int k) { return 1.5 * std::sin(1.3 * c + 0.7 * k + 0.1); }

V start_x(double sigma0) {
    V x(kN);
    for (int k = 0; k < kN; ++k) x[k] = sigma0 * (0.9 * std::cos(0.9 * k + 0.3) + 0.2);
    return x;
}

V karras8() { return sdn::scheduler_sigmas("karras", sdn::DiscreteSchedule::sd15(), 8); }

struct Harness {
    int model_calls = 0;
    int noise_calls = 0;
    std::vector<double> noise_sigmas;  // (sigma, sigma_next) pairs of noise calls
    int steps_reported = 0;

    sdn::Tensor run(const std::string& name, const V& sigmas, const V& x0) {
        const sdn::SamplerInfo* info = sdn::find_sampler(name);
        EXPECT_NE(info, nullptr) << name;
        sdn::Tensor x({1, 1, 1, kN});
        for (int k = 0; k < kN; ++k) x.data()[k] = static_cast<float>(x0[k]);
        sdn::SamplerRun run;
        run.denoise = [this](const sdn::Tensor& in, double sigma, sdn::Tensor& out) {
            ++model_calls;
            if (out.shape() != in.shape()) out.reset(in.shape());
            for (int64_t k = 0; k < in.size(); ++k)
                out.data()[k] = static_cast<float>(analytic_denoise(in.data()[k], sigma));
        };
        // CFG++ samplers also see an uncond prediction: here 0.8 * D.
        run.denoise_with_uncond = [this](const sdn::Tensor& in, double sigma, sdn::Tensor& out,
                                         sdn::Tensor& uncond) {
            ++model_calls;
            out.reset(in.shape());
            uncond.reset(in.shape());
            for (int64_t k = 0; k < in.size(); ++k) {
                out.data()[k] = static_cast<float>(analytic_denoise(in.data()[k], sigma));
                uncond.data()[k] = static_cast<float>(0.8 * analytic_denoise(in.data()[k], sigma));
            }
        };
        run.noise = [this](double s, double sn, sdn::Tensor& out) {
            for (int64_t k = 0; k < out.size(); ++k)
                out.data()[k] = static_cast<float>(fixed_noise(noise_calls, static_cast<int>(k)));
            noise_sigmas.push_back(s);
            noise_sigmas.push_back(sn);
            ++noise_calls;
        };
        run.on_step = [this](int, const sdn::Tensor&, const sdn::Tensor&) { ++steps_reported; };
        info->run(run, x, sigmas);
        return x;
    }
};

void expect_matches(const sdn::Tensor& got, const V& want, double tol = 1e-5) {
    ASSERT_EQ(got.size(), static_cast<int64_t>(want.size()));
    for (size_t k = 0; k < want.size(); ++k)
        EXPECT_NEAR(got.data()[k], want[k], tol * std::max(1.0, std::fabs(want[k]))) << "element " << k;
}

// ---- independent references -------------------------------------------------------------

V D(const V& x, double s) {
    V out(x.size());
    for (size_t k = 0; k < x.size(); ++k) out[k] = analytic_denoise(x[k], s);
    return out;
}
V noise_of(int c) {
    V n(kN);
    for (int k = 0; k < kN; ++k) n[k] = fixed_noise(c, k);
    return n;
}
void ancestral(double s, double sn, double& down, double& up) {
    up = std::min(sn, std::sqrt(sn * sn * (s * s - sn * sn) / (s * s)));
    down = std::sqrt(sn * sn - up * up);
}

V ref_euler(V x, const V& sig) {
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        V d = D(x, sig[i]);
        for (int k = 0; k < kN; ++k) x[k] += (x[k] - d[k]) / sig[i] * (sig[i + 1] - sig[i]);
    }
    return x;
}

V ref_euler_ancestral(V x, const V& sig) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        V d = D(x, sig[i]);
        double down, up;
        ancestral(sig[i], sig[i + 1], down, up);
        if (down == 0) { x = d; continue; }
        V n = noise_of(c++);
        for (int k = 0; k < kN; ++k) x[k] = x[k] + (x[k] - d[k]) / sig[i] * (down - sig[i]) + n[k] * up;
    }
    return x;
}

V ref_heun(V x, const V& sig) {
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d = D(x, s);
        V slope(kN);
        for (int k = 0; k < kN; ++k) slope[k] = (x[k] - d[k]) / s;
        if (sn == 0) {
            for (int k = 0; k < kN; ++k) x[k] += slope[k] * (sn - s);
            continue;
        }
        V x2(kN);
        for (int k = 0; k < kN; ++k) x2[k] = x[k] + slope[k] * (sn - s);
        V d2 = D(x2, sn);
        for (int k = 0; k < kN; ++k) x[k] += 0.5 * (slope[k] + (x2[k] - d2[k]) / sn) * (sn - s);
    }
    return x;
}

V ref_dpm2(V x, const V& sig, bool anc) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i];
        double target = sig[i + 1], up = 0;
        if (anc) ancestral(s, sig[i + 1], target, up);
        V d = D(x, s);
        if (target == 0) {
            for (int k = 0; k < kN; ++k) x[k] += (x[k] - d[k]) / s * (target - s);
            continue;
        }
        const double mid = std::sqrt(s * target);  // geometric mean
        V x2(kN);
        for (int k = 0; k < kN; ++k) x2[k] = x[k] + (x[k] - d[k]) / s * (mid - s);
        V d2 = D(x2, mid);
        for (int k = 0; k < kN; ++k) x[k] += (x2[k] - d2[k]) / mid * (target - s);
        if (anc) {
            V n = noise_of(c++);
            for (int k = 0; k < kN; ++k) x[k] += n[k] * up;
        }
    }
    return x;
}

// LMS weights by exact polynomial integration (expand the Lagrange basis into monomials).
double lagrange_integral(const V& nodes, int j, double a, double b) {
    V poly = {1.0};  // coefficients, lowest degree first
    double denom = 1.0;
    for (size_t k = 0; k < nodes.size(); ++k) {
        if (static_cast<int>(k) == j) continue;
        V next(poly.size() + 1, 0.0);
        for (size_t p = 0; p < poly.size(); ++p) {
            next[p + 1] += poly[p];
            next[p] -= poly[p] * nodes[k];
        }
        poly = next;
        denom *= nodes[j] - nodes[k];
    }
    double integral = 0;
    for (size_t p = 0; p < poly.size(); ++p)
        integral += poly[p] * (std::pow(b, p + 1) - std::pow(a, p + 1)) / (p + 1);
    return integral / denom;
}

V ref_lms(V x, const V& sig) {
    std::vector<V> ds;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        V d = D(x, sig[i]);
        V der(kN);
        for (int k = 0; k < kN; ++k) der[k] = (x[k] - d[k]) / sig[i];
        ds.push_back(der);
        if (sig[i + 1] == 0) { x = d; continue; }
        const int order = std::min<int>(static_cast<int>(i) + 1, 4);
        V nodes;
        for (int j = 0; j < order; ++j) nodes.push_back(sig[i - j]);
        for (int j = 0; j < order; ++j) {
            const double w = lagrange_integral(nodes, j, sig[i], sig[i + 1]);
            for (int k = 0; k < kN; ++k) x[k] += w * ds[ds.size() - 1 - j][k];
        }
    }
    return x;
}

V ref_dpmpp_2m(V x, const V& sig) {
    V old;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d = D(x, s);
        // x_next = (sn/s) x + (1 - sn/s) * D', written without logs: expm1(-h) = sn/s - 1.
        const double ratio = sn / s;
        V use = d;
        if (!old.empty() && sn != 0) {
            const double h = std::log(s / sn), h_last = std::log(sig[i - 1] / s);
            const double r = h_last / h;
            for (int k = 0; k < kN; ++k) use[k] = (1 + 1 / (2 * r)) * d[k] - (1 / (2 * r)) * old[k];
        }
        for (int k = 0; k < kN; ++k) x[k] = ratio * x[k] + (1 - ratio) * use[k];
        old = d;
    }
    return x;
}

V ref_dpmpp_2s_ancestral(V x, const V& sig) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        double down, up;
        ancestral(s, sn, down, up);
        V d = D(x, s);
        if (down == 0) {
            for (int k = 0; k < kN; ++k) x[k] += (x[k] - d[k]) / s * (down - s);
        } else {
            const double mid = std::sqrt(s * down);  // exp(-(t + h/2))
            V x2(kN);
            for (int k = 0; k < kN; ++k) x2[k] = (mid / s) * x[k] + (1 - mid / s) * d[k];
            V d2 = D(x2, mid);
            for (int k = 0; k < kN; ++k) x[k] = (down / s) * x[k] + (1 - down / s) * d2[k];
        }
        if (sn > 0) {
            V n = noise_of(c++);
            for (int k = 0; k < kN; ++k) x[k] += n[k] * up;
        }
    }
    return x;
}

// 2M/3M SDE with eta 1: x = (sn/s)^2 x + (1 - (sn/s)^2) D + corrections + sn sqrt(1-(sn/s)^2) n.
V ref_multistep_sde(V x, const V& sig, int variant /*0 midpoint, 1 heun, 3 third order*/) {
    int c = 0;
    V d1, d2;
    double h1 = 0, h2 = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d = D(x, s);
        double h = 0;
        if (sn == 0) {
            x = d;
        } else {
            h = std::log(s / sn);
            const double q = (sn / s) * (sn / s);  // exp(-2h)
            const double phi1 = 1 - q;
            const double phi2 = (q - 1) / (2 * h) + 1;  // expm1(-2h)/(2h) + 1
            V nx(kN);
            for (int k = 0; k < kN; ++k) nx[k] = q * x[k] + phi1 * d[k];
            if (variant == 3 && !d2.empty()) {
                const double r0 = h1 / h, r1 = h2 / h;
                const double phi3 = phi2 / (2 * h) - 0.5;
                for (int k = 0; k < kN; ++k) {
                    const double a = (d[k] - d1[k]) / r0, b = (d1[k] - d2[k]) / r1;
                    nx[k] += phi2 * (a + (a - b) * r0 / (r0 + r1)) - phi3 * (a - b) / (r0 + r1);
                }
            } else if (!d1.empty()) {
                const double r = h1 / h;
                for (int k = 0; k < kN; ++k) {
                    const double diff = (d[k] - d1[k]) / r;
                    if (variant == 3) nx[k] += phi2 * diff;
                    else if (variant == 1) nx[k] += (phi1 / (-2 * h) + 1) * diff;
                    else nx[k] += 0.5 * phi1 * diff;
                }
            }
            V n = noise_of(c++);
            for (int k = 0; k < kN; ++k) nx[k] += n[k] * sn * std::sqrt(1 - q);
            x = nx;
        }
        d2 = d1;
        d1 = d;
        h2 = h1;
        h1 = h;
    }
    return x;
}

V ref_dpmpp_sde(V x, const V& sig) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d = D(x, s);
        if (sn == 0) { x = d; continue; }
        const double mid = std::sqrt(s * sn);
        double down, up;
        ancestral(s, mid, down, up);
        V x2(kN);
        for (int k = 0; k < kN; ++k) x2[k] = (down / s) * x[k] + (1 - down / s) * d[k];
        V n = noise_of(c++);
        for (int k = 0; k < kN; ++k) x2[k] += n[k] * up;
        V dd2 = D(x2, mid);
        ancestral(s, sn, down, up);
        // r = 1/2 makes fac = 1/(2r) = 1: the second stage uses the midpoint prediction alone.
        for (int k = 0; k < kN; ++k) x[k] = (down / s) * x[k] + (1 - down / s) * dd2[k];
        n = noise_of(c++);
        for (int k = 0; k < kN; ++k) x[k] += n[k] * up;
    }
    return x;
}

V ref_ddpm(V x, const V& sig) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d = D(x, s);
        const double ab = 1 / (1 + s * s), ab_prev = 1 / (1 + sn * sn), a = ab / ab_prev;
        V n;
        if (sn > 0) n = noise_of(c++);
        for (int k = 0; k < kN; ++k) {
            const double eps = (x[k] - d[k]) / s;
            const double xv = x[k] * std::sqrt(ab);
            double mu = (xv - (1 - a) / std::sqrt(1 - ab) * eps) / std::sqrt(a);
            if (sn > 0) mu += std::sqrt((1 - a) * (1 - ab_prev) / (1 - ab)) * n[k];
            x[k] = sn != 0 ? mu / std::sqrt(ab_prev) : mu;
        }
    }
    return x;
}

V ref_lcm(V x, const V& sig) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        x = D(x, sig[i]);
        if (sig[i + 1] > 0) {
            V n = noise_of(c++);
            for (int k = 0; k < kN; ++k) x[k] += sig[i + 1] * n[k];
        }
    }
    return x;
}

// ipndm_v's variable-step weights. Order 2 is the exact Adams-Bashforth rule (integral of
// the linear interpolant); orders 3 and 4 are the published iPNDM-v corrections (Zhang &
// Chen's solver code), written out here from the paper's formulas.
V ipndm_v_weights(const V& t, size_t i, int order) {
    const double hn = t[i + 1] - t[i];
    if (order == 1) return {hn};
    const double h1 = t[i] - t[i - 1];
    if (order == 2) {
        V nodes = {t[i], t[i - 1]};
        return {lagrange_integral(nodes, 0, t[i], t[i + 1]), lagrange_integral(nodes, 1, t[i], t[i + 1])};
    }
    const double h2 = t[i - 1] - t[i - 2];
    const double a = (1 - hn / (3 * (hn + h1)) * (hn * (hn + h1)) / (h1 * (h1 + h2))) / 2;
    if (order == 3)
        return {hn * ((2 + hn / h1) / 2 + a), hn * (-(hn / h1) / 2 - (1 + h1 / h2) * a), hn * (a * h1 / h2)};
    const double h3 = t[i - 2] - t[i - 3];
    const double q = h1 * (h1 + h2) / (h2 * (h2 + h3));
    const double b = ((1 - hn / (3 * (hn + h1))) / 2 + (1 - hn / (2 * (hn + h1))) * hn / (6 * (hn + h1 + h2))) *
                     (hn * (hn + h1) * (hn + h1 + h2)) / (h1 * (h1 + h2) * (h1 + h2 + h3));
    return {hn * ((2 + hn / h1) / 2 + a + b), hn * (-(hn / h1) / 2 - (1 + h1 / h2) * a - (1 + h1 / h2 + q) * b),
            hn * (a * h1 / h2 + (h1 / h2 + q * (1 + h2 / h3)) * b), hn * (-b * q * h1 / h2)};
}

V ref_ipndm(V x, const V& sig, bool variable) {
    std::vector<V> hist;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d = D(x, s);
        V der(kN);
        for (int k = 0; k < kN; ++k) der[k] = (x[k] - d[k]) / s;
        hist.push_back(der);
        const int order = std::min<int>(4, static_cast<int>(i) + 1);
        if (sn == 0) { x = d; continue; }
        V w;
        if (!variable) {
            const V tab[4] = {{1}, {1.5, -0.5}, {23 / 12.0, -16 / 12.0, 5 / 12.0},
                              {55 / 24.0, -59 / 24.0, 37 / 24.0, -9 / 24.0}};
            w = tab[order - 1];
            for (double& v : w) v *= (sn - s);
        } else {
            w = ipndm_v_weights(sig, i, order);
        }
        for (int j = 0; j < order; ++j)
            for (int k = 0; k < kN; ++k) x[k] += w[j] * hist[hist.size() - 1 - j][k];
    }
    return x;
}

class SamplerTest : public ::testing::Test {
protected:
    Harness h;
};

TEST_F(SamplerTest, Euler) {
    const V sig = karras8();
    expect_matches(h.run("euler", sig, start_x(sig[0])), ref_euler(start_x(sig[0]), sig));
    EXPECT_EQ(h.model_calls, 8);
    EXPECT_EQ(h.steps_reported, 8);
}

TEST_F(SamplerTest, DdimIsEulerWithoutAMask) {
    const V sig = karras8();
    expect_matches(h.run("ddim", sig, start_x(sig[0])), ref_euler(start_x(sig[0]), sig));
}

TEST_F(SamplerTest, EulerAncestral) {
    const V sig = karras8();
    expect_matches(h.run("euler_ancestral", sig, start_x(sig[0])), ref_euler_ancestral(start_x(sig[0]), sig));
    EXPECT_EQ(h.noise_calls, 7);  // no noise on the final step to 0
}

TEST_F(SamplerTest, Heun) {
    const V sig = karras8();
    expect_matches(h.run("heun", sig, start_x(sig[0])), ref_heun(start_x(sig[0]), sig));
    EXPECT_EQ(h.model_calls, 15);
}

TEST_F(SamplerTest, Dpm2AndAncestral) {
    const V sig = karras8();
    expect_matches(h.run("dpm_2", sig, start_x(sig[0])), ref_dpm2(start_x(sig[0]), sig, false));
    Harness a;
    expect_matches(a.run("dpm_2_ancestral", sig, start_x(sig[0])), ref_dpm2(start_x(sig[0]), sig, true));
}

TEST_F(SamplerTest, Lms) {
    const V sig = karras8();
    expect_matches(h.run("lms", sig, start_x(sig[0])), ref_lms(start_x(sig[0]), sig));
}

TEST_F(SamplerTest, Dpmpp2m) {
    const V sig = karras8();
    expect_matches(h.run("dpmpp_2m", sig, start_x(sig[0])), ref_dpmpp_2m(start_x(sig[0]), sig));
}

TEST_F(SamplerTest, Dpmpp2sAncestral) {
    const V sig = karras8();
    expect_matches(h.run("dpmpp_2s_ancestral", sig, start_x(sig[0])), ref_dpmpp_2s_ancestral(start_x(sig[0]), sig));
    EXPECT_EQ(h.model_calls, 15);
}

TEST_F(SamplerTest, Dpmpp2mSdeMidpointAndHeun) {
    const V sig = karras8();
    expect_matches(h.run("dpmpp_2m_sde", sig, start_x(sig[0])), ref_multistep_sde(start_x(sig[0]), sig, 0));
    Harness b;
    expect_matches(b.run("dpmpp_2m_sde_heun", sig, start_x(sig[0])), ref_multistep_sde(start_x(sig[0]), sig, 1));
}

TEST_F(SamplerTest, Dpmpp3mSde) {
    const V sig = karras8();
    expect_matches(h.run("dpmpp_3m_sde", sig, start_x(sig[0])), ref_multistep_sde(start_x(sig[0]), sig, 3));
}

TEST_F(SamplerTest, DpmppSde) {
    const V sig = karras8();
    expect_matches(h.run("dpmpp_sde", sig, start_x(sig[0])), ref_dpmpp_sde(start_x(sig[0]), sig));
    // The first noise call covers sigma -> the geometric midpoint, computed in float32 as
    // ComfyUI does (so within a few float ulps of the exact value, and a float).
    ASSERT_GE(h.noise_sigmas.size(), 2u);
    EXPECT_NEAR(h.noise_sigmas[1], std::sqrt(sig[0] * sig[1]), 4e-7 * std::sqrt(sig[0] * sig[1]));
    EXPECT_EQ(static_cast<double>(static_cast<float>(h.noise_sigmas[1])), h.noise_sigmas[1]);
}

TEST_F(SamplerTest, Ddpm) {
    const V sig = karras8();
    expect_matches(h.run("ddpm", sig, start_x(sig[0])), ref_ddpm(start_x(sig[0]), sig));
}

TEST_F(SamplerTest, Lcm) {
    const V sig = karras8();
    expect_matches(h.run("lcm", sig, start_x(sig[0])), ref_lcm(start_x(sig[0]), sig));
}

TEST_F(SamplerTest, Ipndm) {
    const V sig = karras8();
    expect_matches(h.run("ipndm", sig, start_x(sig[0])), ref_ipndm(start_x(sig[0]), sig, false));
}

TEST_F(SamplerTest, IpndmVariableStep) {
    const V sig = karras8();
    expect_matches(h.run("ipndm_v", sig, start_x(sig[0])), ref_ipndm(start_x(sig[0]), sig, true));
}

TEST_F(SamplerTest, AllSamplersHandleSingleStepAndEmptySigmas) {
    for (const auto& info : sdn::implemented_samplers()) {
        Harness empty;
        const V x0 = start_x(1.0);
        sdn::Tensor out = empty.run(info.name, {}, x0);
        for (int k = 0; k < kN; ++k) EXPECT_EQ(out.data()[k], static_cast<float>(x0[k])) << info.name;
        EXPECT_EQ(empty.model_calls, 0) << info.name;
        Harness one;
        sdn::Tensor single = one.run(info.name, {2.0, 0.0}, start_x(2.0));
        for (int k = 0; k < kN; ++k) EXPECT_TRUE(std::isfinite(single.data()[k])) << info.name;
        // dpm_adaptive integrates from sigmas[0] to the smallest positive sigma: here the
        // same point, so (as in ComfyUI) it returns x without a model call.
        if (std::string(info.name) != "dpm_adaptive") EXPECT_GE(one.model_calls, 1) << info.name;
    }
}

TEST(SamplerRegistry, ImplementsComfyUiSamplerListInOrder) {
    // KSampler.SAMPLERS, compatibility spec section 2.1 (44 names).
    const std::vector<std::string> comfy = {
        "euler", "euler_cfg_pp", "euler_ancestral", "euler_ancestral_cfg_pp", "heun", "heunpp2",
        "exp_heun_2_x0", "exp_heun_2_x0_sde", "dpm_2", "dpm_2_ancestral", "lms", "dpm_fast",
        "dpm_adaptive", "dpmpp_2s_ancestral", "dpmpp_2s_ancestral_cfg_pp", "dpmpp_sde",
        "dpmpp_sde_gpu", "dpmpp_2m", "dpmpp_2m_cfg_pp", "dpmpp_2m_sde", "dpmpp_2m_sde_gpu",
        "dpmpp_2m_sde_heun", "dpmpp_2m_sde_heun_gpu", "dpmpp_3m_sde", "dpmpp_3m_sde_gpu", "ddpm",
        "lcm", "ipndm", "ipndm_v", "deis", "res_multistep", "res_multistep_cfg_pp",
        "res_multistep_ancestral", "res_multistep_ancestral_cfg_pp", "gradient_estimation",
        "gradient_estimation_cfg_pp", "er_sde", "seeds_2", "seeds_3", "sa_solver", "sa_solver_pece",
        "ddim", "uni_pc", "uni_pc_bh2"};
    std::vector<std::string> ours;
    for (const auto& info : sdn::implemented_samplers()) ours.push_back(info.name);
    EXPECT_EQ(ours, comfy);
}

TEST(SamplerRegistry, KnowsComfyNamesAndRejectsOthers) {
    for (const char* n : {"euler", "euler_ancestral", "heun", "dpm_2", "dpm_2_ancestral", "lms",
                          "dpm_fast", "dpm_adaptive", "dpmpp_2s_ancestral", "dpmpp_sde", "dpmpp_2m",
                          "dpmpp_2m_sde", "dpmpp_3m_sde", "ddpm", "lcm", "ipndm", "ipndm_v", "deis",
                          "ddim", "uni_pc", "uni_pc_bh2"})
        EXPECT_NE(sdn::find_sampler(n), nullptr) << n;
    EXPECT_EQ(sdn::find_sampler("euler_a"), nullptr);
    EXPECT_EQ(sdn::find_sampler("euler")->noise, sdn::SamplerNoise::kNone);
    EXPECT_EQ(sdn::find_sampler("euler_ancestral")->noise, sdn::SamplerNoise::kAncestral);
    EXPECT_EQ(sdn::find_sampler("dpmpp_2m_sde")->noise, sdn::SamplerNoise::kBrownian);
}

}  // namespace
