// The further ComfyUI samplers (heunpp2, gradient_estimation, res_multistep[_ancestral],
// exp_heun_2_x0[_sde], seeds_2, seeds_3, er_sde, sa_solver[_pece]) against double re-derivations with the analytic
// denoiser D(x, sigma) = x / (1 + sigma^2) and a call-indexed noise sequence.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "sample/samplers/sampler.h"
#include "sample/schedulers.h"

namespace {

using V = std::vector<double>;
constexpr int kN = 6;

double Dk(double x, double s) { return x / (1.0 + s * s); }
V D(const V& x, double s) {
    V o(x.size());
    for (size_t k = 0; k < x.size(); ++k) o[k] = Dk(x[k], s);
    return o;
}
double noise_value(int call, int k) { return 1.2 * std::cos(0.9 * call + 0.5 * k + 0.2); }
V noise_of(int call) {
    V n(kN);
    for (int k = 0; k < kN; ++k) n[k] = noise_value(call, k);
    return n;
}
V start_x(double s0) {
    V x(kN);
    for (int k = 0; k < kN; ++k) x[k] = s0 * (0.8 * std::sin(0.7 * k + 0.2) + 0.15);
    return x;
}
V sched(int steps) { return sdn::scheduler_sigmas("karras", sdn::DiscreteSchedule::sd15(), steps); }

struct Outcome {
    sdn::Tensor x;
    int calls = 0;
    int noise_calls = 0;
};

Outcome run(const std::string& name, const V& sigmas, const V& x0) {
    Outcome o;
    o.x.reset({1, 1, 1, kN});
    for (int k = 0; k < kN; ++k) o.x.data()[k] = static_cast<float>(x0[k]);
    sdn::SamplerRun r;
    r.denoise = [&](const sdn::Tensor& in, double s, sdn::Tensor& out) {
        ++o.calls;
        if (out.shape() != in.shape()) out.reset(in.shape());
        for (int64_t k = 0; k < in.size(); ++k) out.data()[k] = static_cast<float>(Dk(in.data()[k], s));
    };
    r.noise = [&](double, double, sdn::Tensor& out) {
        for (int64_t k = 0; k < out.size(); ++k) out.data()[k] = static_cast<float>(noise_value(o.noise_calls, static_cast<int>(k)));
        ++o.noise_calls;
    };
    const sdn::SamplerInfo* info = sdn::find_sampler(name);
    EXPECT_NE(info, nullptr) << name;
    if (info) info->run(r, o.x, sigmas);
    return o;
}

void expect_matches(const sdn::Tensor& got, const V& want) {
    for (int k = 0; k < kN; ++k)
        EXPECT_NEAR(got.data()[k], want[k], 1e-5 * std::max(1.0, std::fabs(want[k]))) << "element " << k;
}

V slope(const V& x, double s) {
    V d = D(x, s), out(kN);
    for (int k = 0; k < kN; ++k) out[k] = (x[k] - d[k]) / s;
    return out;
}

TEST(ExtraSamplers, Heunpp2) {
    const V sig = sched(7);
    V x = start_x(sig[0]);
    const V x0 = x;
    const double end = sig.back();
    int calls = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], s1 = sig[i + 1], dt = s1 - s;
        const V d = slope(x, s);
        ++calls;
        if (s1 == end) {
            for (int k = 0; k < kN; ++k) x[k] += d[k] * dt;
            continue;
        }
        V x2(kN);
        for (int k = 0; k < kN; ++k) x2[k] = x[k] + d[k] * dt;
        const V d2 = slope(x2, s1);
        ++calls;
        if (sig[i + 2] == end) {
            const double w2 = s1 / (2 * sig[0]);
            for (int k = 0; k < kN; ++k) x[k] += ((1 - w2) * d[k] + w2 * d2[k]) * dt;
            continue;
        }
        const double s2 = sig[i + 2];
        V x3(kN);
        for (int k = 0; k < kN; ++k) x3[k] = x2[k] + d2[k] * (s2 - s1);
        const V d3 = slope(x3, s2);
        ++calls;
        const double w2 = s1 / (3 * sig[0]), w3 = s2 / (3 * sig[0]);
        for (int k = 0; k < kN; ++k) x[k] += ((1 - w2 - w3) * d[k] + w2 * d2[k] + w3 * d3[k]) * dt;
    }
    Outcome o = run("heunpp2", sig, x0);
    expect_matches(o.x, x);
    EXPECT_EQ(o.calls, calls);
}

TEST(ExtraSamplers, GradientEstimation) {
    const V sig = sched(6);
    V x = start_x(sig[0]);
    const V x0 = x;
    V old;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double dt = sig[i + 1] - sig[i];
        const V d = slope(x, sig[i]);
        if (sig[i + 1] == 0) {
            x = D(x, sig[i]);
        } else {
            for (int k = 0; k < kN; ++k) x[k] += d[k] * dt + (i >= 1 ? (d[k] - old[k]) * dt : 0.0);
        }
        old = d;
    }
    expect_matches(run("gradient_estimation", sig, x0).x, x);
}

// RES second-order multistep; with eta 1 the target is sigma_down plus sigma_up noise.
V ref_res(const V& sig, V x, bool ancestral) {
    V old;
    double old_down = 0;
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        double down = sn, up = 0;
        if (ancestral) {
            up = std::min(sn, std::sqrt(sn * sn * (s * s - sn * sn) / (s * s)));
            down = std::sqrt(sn * sn - up * up);
        }
        const V d = D(x, s);
        if (down == 0 || old.empty()) {
            for (int k = 0; k < kN; ++k) x[k] += (x[k] - d[k]) / s * (down - s);
        } else {
            const double h = std::log(s / down);
            const double c2 = std::log(old_down / sig[i - 1]) / h;  // (t_prev - t_old) / h
            const double p1 = (std::exp(-h) - 1) / -h, p2 = (p1 - 1) / -h;
            const double b1 = p1 - p2 / c2, b2 = p2 / c2;
            for (int k = 0; k < kN; ++k) x[k] = (down / s) * x[k] + h * (b1 * d[k] + b2 * old[k]);
        }
        if (sn > 0 && up != 0) {
            const V n = noise_of(c++);
            for (int k = 0; k < kN; ++k) x[k] += n[k] * up;
        }
        old = d;
        old_down = down;
    }
    return x;
}

TEST(ExtraSamplers, ResMultistepAndAncestral) {
    const V sig = sched(7);
    expect_matches(run("res_multistep", sig, start_x(sig[0])).x, ref_res(sig, start_x(sig[0]), false));
    expect_matches(run("res_multistep_ancestral", sig, start_x(sig[0])).x, ref_res(sig, start_x(sig[0]), true));
}

// SEEDS-2 family in sigma ratios: exp(-r h) = (sn/s)^r for EPS models.
V ref_seeds(const V& sig, V x, double eta, double r, bool phi2) {
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        const V d = D(x, s);
        if (sn == 0) {
            x = d;
            continue;
        }
        const double h = std::log(s / sn), he = h * (eta + 1);
        const double sm = s * std::pow(sn / s, r);
        V x2(kN), noise1(kN, 0.0);
        for (int k = 0; k < kN; ++k) x2[k] = sm / s * std::exp(-r * h * eta) * x[k] - std::expm1(-r * he) * d[k];
        if (eta > 0) {
            const V n = noise_of(c++);
            for (int k = 0; k < kN; ++k) {
                noise1[k] = std::sqrt(1 - std::exp(-2 * r * h * eta)) * n[k];
                x2[k] += noise1[k] * sm;
            }
        }
        const V d2 = D(x2, sm);
        for (int k = 0; k < kN; ++k) {
            const double decay = sn / s * std::exp(-h * eta);
            if (phi2) {
                const double b2 = (std::expm1(-he) + he) / (-he) / r, b1 = std::expm1(-he) - b2;
                x[k] = decay * x[k] - (b1 * d[k] + b2 * d2[k]);
            } else {
                x[k] = decay * x[k] - std::expm1(-he) * (d[k] + (d2[k] - d[k]) / (2 * r));
            }
        }
        if (eta > 0) {
            const double seg = (r - 1) * h * eta;
            const V n = noise_of(c++);
            for (int k = 0; k < kN; ++k)
                x[k] += (noise1[k] * std::exp(seg) + std::sqrt(1 - std::exp(2 * seg)) * n[k]) * sn;
        }
    }
    return x;
}

TEST(ExtraSamplers, Seeds2AndExponentialHeun) {
    const V sig = sched(6);
    const V x0 = start_x(sig[0]);
    expect_matches(run("seeds_2", sig, x0).x, ref_seeds(sig, x0, 1.0, 0.5, false));
    Outcome det = run("exp_heun_2_x0", sig, x0);
    expect_matches(det.x, ref_seeds(sig, x0, 0.0, 1.0, true));
    EXPECT_EQ(det.noise_calls, 0);
    Outcome sde = run("exp_heun_2_x0_sde", sig, x0);
    expect_matches(sde.x, ref_seeds(sig, x0, 1.0, 1.0, true));
    EXPECT_EQ(sde.noise_calls, 10);  // two per step but the last, even the zero-weight one
}

TEST(ExtraSamplers, Seeds3) {
    const V sig = sched(5);
    V x = start_x(sig[0]);
    const V x0 = x;
    auto p1 = [](double h) { return std::expm1(h); };
    auto p2 = [](double h) { return (std::expm1(h) - h) / h; };
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        const V d = D(x, s);
        if (sn == 0) {
            x = d;
            continue;
        }
        const double h = std::log(s / sn), he = 2 * h, r1 = 1.0 / 3, r2 = 2.0 / 3;
        const double s1 = s * std::pow(sn / s, r1), s2 = s * std::pow(sn / s, r2);
        V noise = noise_of(c++);
        for (double& v : noise) v *= std::sqrt(1 - std::exp(-2 * r1 * h));
        V x2(kN);
        for (int k = 0; k < kN; ++k) x2[k] = s1 / s * std::exp(-r1 * h) * x[k] - p1(-r1 * he) * d[k] + noise[k] * s1;
        const V d2 = D(x2, s1);
        const double a32 = r2 / r1 * p2(-r2 * he), a31 = p1(-r2 * he) - a32;
        double seg = (r1 - r2) * h;
        V n2 = noise_of(c++);
        for (int k = 0; k < kN; ++k) noise[k] = noise[k] * std::exp(seg) + std::sqrt(1 - std::exp(2 * seg)) * n2[k];
        V x3(kN);
        for (int k = 0; k < kN; ++k) x3[k] = s2 / s * std::exp(-r2 * h) * x[k] - (a31 * d[k] + a32 * d2[k]) + noise[k] * s2;
        const V d3 = D(x3, s2);
        const double b3 = p2(-he) / r2, b1 = p1(-he) - b3;
        seg = (r2 - 1) * h;
        V n3 = noise_of(c++);
        for (int k = 0; k < kN; ++k) {
            noise[k] = noise[k] * std::exp(seg) + std::sqrt(1 - std::exp(2 * seg)) * n3[k];
            x[k] = sn / s * std::exp(-h) * x[k] - (b1 * d[k] + b3 * d3[k]) + noise[k] * sn;
        }
    }
    Outcome o = run("seeds_3", sig, x0);
    expect_matches(o.x, x);
    EXPECT_EQ(o.calls, 3 * 4 + 1);
}

// SA-Solver weights by quadrature: w_k = integral over [ls, lt] of
// (1 + tau^2) exp((1 + tau^2)(l - lt)) * lagrange_k(l) dl (composite Simpson, 4000 panels).
V sa_weights(const V& nodes, double ls, double lt, double tau) {
    const double m = 1 + tau * tau;
    const int panels = 4000;
    const double step = (lt - ls) / panels;
    V w(nodes.size(), 0.0);
    for (int q = 0; q <= panels; ++q) {
        const double l = ls + q * step;
        const double simpson = (q == 0 || q == panels) ? 1 : (q % 2 ? 4 : 2);
        const double base = m * std::exp(m * (l - lt)) * simpson * step / 3;
        for (size_t k = 0; k < nodes.size(); ++k) {
            double basis = 1;
            for (size_t j = 0; j < nodes.size(); ++j)
                if (j != k) basis *= (l - nodes[j]) / (nodes[k] - nodes[j]);
            w[k] += base * basis;
        }
    }
    return w;
}

V ref_sa_solver(const V& sig, V x, bool pece, int& calls) {
    const auto& sched15 = sdn::DiscreteSchedule::sd15();
    const double t_hi = sched15.percent_to_sigma(0.2), t_lo = sched15.percent_to_sigma(0.8);
    const int n = static_cast<int>(sig.size());
    V lam(n);
    for (int i = 0; i < n; ++i) lam[i] = -std::log(sig[i]);
    std::vector<V> preds;
    V x_pred = x, noise(kN, 0.0);
    double h = 0, tau = 0;
    int c = 0;
    for (int i = 0; i + 1 < n; ++i) {
        preds.push_back(D(x_pred, sig[i]));
        ++calls;
        if (preds.size() > 4) preds.erase(preds.begin());
        const int stored = static_cast<int>(preds.size());
        int po = std::min(3, stored), co = (i == 0 || (sig[i + 1] == 0 && !pece)) ? 0 : std::min(4, stored);
        po = std::min(po, n - 2 - i);
        co = std::min(co, n - 1 - i);
        if (co == 0) {
            x = x_pred;
        } else {
            const V w = sa_weights(V(lam.begin() + (i - co + 1), lam.begin() + i + 1), lam[i - 1], lam[i], tau);
            for (int k = 0; k < kN; ++k) {
                double v = sig[i] / sig[i - 1] * std::exp(-tau * tau * h) * x[k];
                for (int j = 0; j < co; ++j) v += w[j] * preds[stored - co + j][k];
                x[k] = v + (tau > 0 ? noise[k] : 0.0);
            }
            if (pece) {
                preds.back() = D(x, sig[i]);
                ++calls;
            }
        }
        if (sig[i + 1] == 0) {
            x_pred = preds.back();
        } else {
            tau = (t_hi >= sig[i + 1] && sig[i + 1] >= t_lo) ? 1.0 : 0.0;
            const V w = sa_weights(V(lam.begin() + (i - po + 1), lam.begin() + i + 1), lam[i], lam[i + 1], tau);
            h = lam[i + 1] - lam[i];
            if (tau > 0) {
                const V nz = noise_of(c++);
                for (int k = 0; k < kN; ++k) noise[k] = nz[k] * sig[i + 1] * std::sqrt(1 - std::exp(-2 * h));
            }
            for (int k = 0; k < kN; ++k) {
                double v = sig[i + 1] / sig[i] * std::exp(-tau * tau * h) * x[k];
                for (int j = 0; j < po; ++j) v += w[j] * preds[stored - po + j][k];
                x_pred[k] = v + (tau > 0 ? noise[k] : 0.0);
            }
        }
    }
    return x_pred;
}

TEST(ExtraSamplers, SaSolverAndPece) {
    const V sig = sched(9);
    for (bool pece : {false, true}) {
        SCOPED_TRACE(pece ? "pece" : "plain");
        int calls = 0;
        const V want = ref_sa_solver(sig, start_x(sig[0]), pece, calls);
        Outcome o = run(pece ? "sa_solver_pece" : "sa_solver", sig, start_x(sig[0]));
        expect_matches(o.x, want);
        EXPECT_EQ(o.calls, calls);
        EXPECT_GT(o.noise_calls, 0);  // some sigmas fall inside the stochastic interval
    }
}

TEST(ExtraSamplers, ErSde) {
    const V sig = sched(7);
    auto scaler = [](double v) { return v * (std::exp(std::pow(v, 0.3)) + 10.0); };
    V x = start_x(sig[0]);
    const V x0 = x;
    V old, old_dd;
    int c = 0;
    for (size_t i = 0; i + 1 < sig.size(); ++i) {
        const double s = sig[i], sn = sig[i + 1];
        const V d = D(x, s);
        const int stage = std::min<int>(3, static_cast<int>(i) + 1);
        if (sn == 0) {
            x = d;
        } else {
            const double r = scaler(sn) / scaler(s);
            for (int k = 0; k < kN; ++k) x[k] = r * x[k] + (1 - r) * d[k];
            if (stage >= 2) {
                // Riemann sums over 200 points from sn towards s (left end included).
                const double dt = sn - s, step = -dt / 200;
                double S = 0, Su = 0;
                for (int p = 0; p < 200; ++p) {
                    const double pos = sn + p * step;
                    S += step / scaler(pos);
                    Su += step * (pos - s) / scaler(pos);
                }
                V dd(kN);
                for (int k = 0; k < kN; ++k) {
                    dd[k] = (d[k] - old[k]) / (s - sig[i - 1]);
                    x[k] += (dt + S * scaler(sn)) * dd[k];
                }
                if (stage >= 3)
                    for (int k = 0; k < kN; ++k)
                        x[k] += (dt * dt / 2 + Su * scaler(sn)) * (dd[k] - old_dd[k]) / ((s - sig[i - 2]) / 2);
                old_dd = dd;
            }
            const V n = noise_of(c++);
            const double var = sn * sn - s * s * r * r;
            for (int k = 0; k < kN; ++k) x[k] += n[k] * (var > 0 ? std::sqrt(var) : 0.0);
        }
        old = d;
    }
    expect_matches(run("er_sde", sig, x0).x, x);
}

}  // namespace
