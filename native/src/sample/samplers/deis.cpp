// DEIS (Zhang & Chen), the "tab" variant ComfyUI uses with max order 3: an Adams-type
// multistep method whose coefficients integrate Lagrange polynomials against the exponential
// integrator's weight in the VP time of an EDM-style schedule (sigma_min 0.002, sigma_max 80,
// epsilon 1e-3 fixed, as in the reference), by a 10000-point Riemann sum.
#include <algorithm>
#include <cmath>
#include <deque>

#include "sampler.h"

namespace sdn::samplers {

namespace {

struct VpTime {
    double beta_0, beta_1, beta_d;

    VpTime() {
        const double eps_s = 1e-3, sigma_min = 0.002, sigma_max = 80.0;
        beta_d = 2 * (std::log(sigma_min * sigma_min + 1) / eps_s - std::log(sigma_max * sigma_max + 1)) /
                 (eps_s - 1);
        const double beta_min = std::log(sigma_max * sigma_max + 1) - 0.5 * beta_d;
        beta_0 = beta_min;
        beta_1 = beta_d + beta_min;
    }
    // The VP time of an EDM sigma.
    double t_of(double sigma) const {
        return (std::sqrt(beta_0 * beta_0 + 2 * beta_d * std::log(sigma * sigma + 1)) - beta_0) / beta_d;
    }
    // -0.5 d(log alpha)/dt / sqrt(alpha (1 - alpha)), alpha = exp(-t^2 (b1-b0)/2 - t b0).
    double integrand(double tau) const {
        const double alpha = std::exp(-0.5 * tau * tau * (beta_1 - beta_0) - tau * beta_0);
        const double dlog = -tau * (beta_1 - beta_0) - beta_0;
        return -0.5 * dlog / std::sqrt(alpha * (1 - alpha));
    }
};

// Coefficients for step i (order >= 2): one per history point, newest (current) first.
std::vector<double> deis_coefficients(const VpTime& vp, const std::vector<double>& ts, size_t i, int order) {
    const int N = 10000;
    const double t_cur = ts[i], t_next = ts[i + 1];
    const double dtau = (t_next - t_cur) / N;
    std::vector<double> prev(static_cast<size_t>(order));
    for (int k = 0; k < order; ++k) prev[static_cast<size_t>(k)] = ts[i - static_cast<size_t>(k)];
    std::vector<double> coeff(static_cast<size_t>(order), 0.0);
    for (int q = 0; q < N; ++q) {
        // linspace(t_cur, t_next, N): N points including both ends.
        const double tau = t_cur + (t_next - t_cur) * static_cast<double>(q) / (N - 1);
        const double w = vp.integrand(tau);
        for (int j = 0; j < order; ++j) {
            double poly = 1.0;
            for (int k = 0; k < order; ++k)
                if (k != j) poly *= (tau - prev[static_cast<size_t>(k)]) / (prev[static_cast<size_t>(j)] - prev[static_cast<size_t>(k)]);
            coeff[static_cast<size_t>(j)] += w * poly;
        }
    }
    for (double& c : coeff) c *= dtau;
    return coeff;
}

}  // namespace

void deis(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    const int max_order = 3;
    const VpTime vp;
    std::vector<double> ts;
    for (double s : sigmas) ts.push_back(vp.t_of(s));
    Tensor denoised = like(x);
    std::deque<Tensor> history;  // previous derivatives, newest last
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        Tensor d = like(x);
        const float* dn = denoised.data();
        const float* xs = x.data();
        fill(d, [&](int64_t k) { return (xs[k] - dn[k]) / s; });
        int order = std::min<int>(max_order, static_cast<int>(i) + 1);
        if (s_next <= 0.0) order = 1;
        const float* dc = d.data();
        if (order == 1) {
            fill(x, [&](int64_t k) { return xs[k] + (s_next - s) * dc[k]; });
        } else {
            const auto c = deis_coefficients(vp, ts, i, order);
            fill(x, [&](int64_t k) {
                double acc = xs[k] + c[0] * dc[k];
                for (int j = 1; j < order; ++j)
                    acc += c[static_cast<size_t>(j)] * history[history.size() - static_cast<size_t>(j)].data()[k];
                return acc;
            });
        }
        history.push_back(std::move(d));
        if (static_cast<int>(history.size()) > max_order - 1) history.pop_front();
    }
}

}  // namespace sdn::samplers
