// CFG++ samplers against double re-derivations: the guided prediction is D(x, s) =
// x / (1 + s^2) and the uncond one U = 0.8 D, with a call-indexed noise sequence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sample/samplers/sampler.h"
#include "sample/schedulers.h"

namespace {

using V = std::vector<double>;
constexpr int kN = 5;

double Dk(double x, double s) { return x / (1.0 + s * s); }
double Uk(double x, double s) { return 0.8 * Dk(x, s); }
double noise_value(int call, int k) { return std::sin(2.1 * call + 0.6 * k + 0.3); }
V start_x(double s0) {
    V x(kN);
    for (int k = 0; k < kN; ++k) x[k] = s0 * (std::cos(0.8 * k) + 0.1);
    return x;
}
V sched(int steps) { return sdn::scheduler_sigmas("karras", sdn::DiscreteSchedule::sd15(), steps); }

struct Outcome {
    sdn::Tensor x;
    int calls = 0;
};

Outcome run(const std::string& name, const V& sigmas, const V& x0) {
    Outcome o;
    o.x.reset({1, 1, 1, kN});
    for (int k = 0; k < kN; ++k) o.x.data()[k] = static_cast<float>(x0[k]);
    int noise_calls = 0;
    sdn::SamplerRun r;
    r.denoise_with_uncond = [&](const sdn::Tensor& in, double s, sdn::Tensor& out, sdn::Tensor& unc) {
        ++o.calls;
        out.reset(in.shape());
        unc.reset(in.shape());
        for (int64_t k = 0; k < in.size(); ++k) {
            out.data()[k] = static_cast<float>(Dk(in.data()[k], s));
            unc.data()[k] = static_cast<float>(Uk(in.data()[k], s));
        }
    };
    r.noise = [&](double, double, sdn::Tensor& out) {
        for (int64_t k = 0; k < out.size(); ++k) out.data()[k] = static_cast<float>(noise_value(noise_calls, static_cast<int>(k)));
        ++noise_calls;
    };
    const sdn::SamplerInfo* info = sdn::find_sampler(name);
    EXPECT_NE(info, nullptr) << name;
    EXPECT_TRUE(info && info->needs_uncond) << name;
    if (info) info->run(r, o.x, sigmas);
    return o;
}

void expect_matches(const sdn::Tensor& got, const V& want) {
    for (int k = 0; k < kN; ++k)
        EXPECT_NEAR(got.data()[k], want[k], 1e-5 * std::max(1.0, std::fabs(want[k]))) << "element " << k;
}

void ancestral(double s, double sn, double& down, double& up) {
    up = std::min(sn, std::sqrt(sn * sn * (s * s - sn * sn) / (s * s)));
    down = std::sqrt(sn * sn - up * up);
}

V ref_euler_cfg_pp(const V& sig, V x, bool anc) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        if (sn == 0) {
            for (double& v : x) v = Dk(v, s);
            continue;
        }
        double down = sn, up = 0;
        if (anc) ancestral(s, sn, down, up);
        for (int k = 0; k < kN; ++k) {
            // land on the guided prediction, keep the uncond noise direction scaled to down
            x[k] = Dk(x[k], s) + down * (x[k] - Uk(x[k], s)) / s + (anc ? noise_value(c, k) * up : 0.0);
        }
        if (anc) ++c;
    }
    return x;
}

TEST(CfgPpSamplers, EulerAndEulerAncestral) {
    const V sig = sched(6);
    expect_matches(run("euler_cfg_pp", sig, start_x(sig[0])).x, ref_euler_cfg_pp(sig, start_x(sig[0]), false));
    expect_matches(run("euler_ancestral_cfg_pp", sig, start_x(sig[0])).x, ref_euler_cfg_pp(sig, start_x(sig[0]), true));
}

TEST(CfgPpSamplers, Dpmpp2m) {
    const V sig = sched(6);
    V x = start_x(sig[0]);
    const V x0 = x;
    V old_u;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d(kN), u(kN);
        for (int k = 0; k < kN; ++k) {
            d[k] = Dk(x[k], s);
            u[k] = Uk(x[k], s);
        }
        if (sn == 0) {
            x = d;
        } else {
            const double q = sn / s;  // exp(-h)
            for (int k = 0; k < kN; ++k) {
                double mix = -q * u[k];
                if (!old_u.empty()) {
                    const double r = std::log(sig[i - 1] / s) / std::log(s / sn);
                    mix -= (q - 1) / (2 * r) * (d[k] - old_u[k]);
                }
                x[k] = d[k] + mix + q * x[k];
            }
        }
        old_u = u;
    }
    expect_matches(run("dpmpp_2m_cfg_pp", sig, x0).x, x);
}

TEST(CfgPpSamplers, Dpmpp2sAncestral) {
    const V sig = sched(6);
    V x = start_x(sig[0]);
    const V x0 = x;
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        double down, up;
        ancestral(s, sn, down, up);
        V g(kN), u(kN);
        for (int k = 0; k < kN; ++k) {
            g[k] = Dk(x[k], s) - Uk(x[k], s);
            u[k] = Uk(x[k], s);
        }
        if (down == 0) {
            x = u;
        } else {
            const double mid = std::sqrt(s * down);
            for (int k = 0; k < kN; ++k) {
                const double x2 = (mid / s) * x[k] + (1 - mid / s) * u[k];
                x[k] = (down / s) * x[k] + (1 - down / s) * Uk(x2, mid);
            }
        }
        if (sn > 0) {
            for (int k = 0; k < kN; ++k) x[k] += noise_value(c, k) * up;
            ++c;
        }
        for (int k = 0; k < kN; ++k) x[k] += g[k];
    }
    expect_matches(run("dpmpp_2s_ancestral_cfg_pp", sig, x0).x, x);
}

TEST(CfgPpSamplers, GradientEstimation) {
    const V sig = sched(6);
    V x = start_x(sig[0]);
    const V x0 = x;
    V old;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d(kN);
        for (int k = 0; k < kN; ++k) d[k] = (x[k] - Uk(x[k], s)) / s;
        for (int k = 0; k < kN; ++k) {
            if (sn == 0) x[k] = Dk(x[k], s);
            else x[k] = Dk(x[k], s) + d[k] * sn + (i >= 1 ? (d[k] - old[k]) * (sn - s) : 0.0);
        }
        old = d;
    }
    expect_matches(run("gradient_estimation_cfg_pp", sig, x0).x, x);
}

TEST(CfgPpSamplers, ResMultistep) {
    const V sig = sched(6);
    V x = start_x(sig[0]);
    const V x0 = x;
    V old;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        V d(kN), u(kN);
        for (int k = 0; k < kN; ++k) {
            d[k] = Dk(x[k], s);
            u[k] = Uk(x[k], s);
        }
        if (sn == 0 || old.empty()) {
            for (int k = 0; k < kN; ++k) x[k] = d[k] + (x[k] - u[k]) / s * sn;
        } else {
            // eta 0: sigma_down is the next sigma, and the previous sigma_down is this one.
            const double h = std::log(s / sn), c2 = std::log(s / sig[i - 1]) / h;
            const double p1 = std::expm1(-h) / -h, p2 = (p1 - 1) / -h;
            for (int k = 0; k < kN; ++k)
                x[k] = (sn / s) * (x[k] + d[k] - u[k]) + h * ((p1 - p2 / c2) * u[k] + (p2 / c2) * old[k]);
        }
        old = u;
    }
    expect_matches(run("res_multistep_cfg_pp", sig, x0).x, x);
}

}  // namespace
