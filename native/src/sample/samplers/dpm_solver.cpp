// DPM-Solver (Lu et al. 2022) in its fixed-step "fast" form (orders 3,3,...,2/1 spending
// exactly the step count in model calls) and its adaptive 2/3 embedded form with a PID
// step-size controller (k-diffusion DPMSolver, eta = 0). Time is t = -log(sigma); the solvers
// work on the eps prediction eps = (x - D(x, sigma)) / sigma.
#include <algorithm>
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

namespace {

double sigma_of(double t) { return std::exp(-t); }

struct EpsSolver {
    SamplerRun& run;
    Tensor denoised_scratch;

    // eps at (x, t) into `eps`.
    void eps(const Tensor& x, double t, Tensor& out) {
        const double s = sigma_of(t);
        run.denoise(x, s, denoised_scratch);
        const float* d = denoised_scratch.data();
        const float* xs = x.data();
        fill(out, [&](int64_t k) { return (xs[k] - d[k]) / s; });
    }

    // First order: x - sigma(t_next) expm1(h) eps.
    void step1(const Tensor& x, double t, double t_next, const Tensor& e, Tensor& out) {
        const double c = sigma_of(t_next) * std::expm1(t_next - t);
        const float* xs = x.data();
        const float* ep = e.data();
        fill(out, [&](int64_t k) { return xs[k] - c * ep[k]; });
    }

    // Second order with intermediate point at r1; e_r1 is computed unless `have_r1`.
    void step2(const Tensor& x, double t, double t_next, double r1, const Tensor& e, Tensor& e_r1,
               bool& have_r1, Tensor& out) {
        const double h = t_next - t, s1 = t + r1 * h;
        const float* xs = x.data();
        const float* ep = e.data();
        if (!have_r1) {
            Tensor u1 = like(x);
            const double c = sigma_of(s1) * std::expm1(r1 * h);
            fill(u1, [&](int64_t k) { return xs[k] - c * ep[k]; });
            eps(u1, s1, e_r1);
            have_r1 = true;
        }
        const double a = sigma_of(t_next) * std::expm1(h);
        const double b = sigma_of(t_next) / (2 * r1) * std::expm1(h);
        const float* er = e_r1.data();
        fill(out, [&](int64_t k) { return xs[k] - a * ep[k] - b * (er[k] - ep[k]); });
    }

    // Third order with points at 1/3 and 2/3 of the step.
    void step3(const Tensor& x, double t, double t_next, const Tensor& e, Tensor& e_r1, bool& have_r1,
               Tensor& out) {
        const double r1 = 1.0 / 3, r2 = 2.0 / 3;
        const double h = t_next - t, s1 = t + r1 * h, s2 = t + r2 * h;
        const float* xs = x.data();
        const float* ep = e.data();
        if (!have_r1) {
            Tensor u1 = like(x);
            const double c = sigma_of(s1) * std::expm1(r1 * h);
            fill(u1, [&](int64_t k) { return xs[k] - c * ep[k]; });
            eps(u1, s1, e_r1);
            have_r1 = true;
        }
        const float* er1 = e_r1.data();
        Tensor u2 = like(x), e_r2 = like(x);
        const double c2a = sigma_of(s2) * std::expm1(r2 * h);
        const double c2b = sigma_of(s2) * (r2 / r1) * (std::expm1(r2 * h) / (r2 * h) - 1);
        fill(u2, [&](int64_t k) { return xs[k] - c2a * ep[k] - c2b * (er1[k] - ep[k]); });
        eps(u2, s2, e_r2);
        const float* er2 = e_r2.data();
        const double a = sigma_of(t_next) * std::expm1(h);
        const double b = sigma_of(t_next) / r2 * (std::expm1(h) / h - 1);
        fill(out, [&](int64_t k) { return xs[k] - a * ep[k] - b * (er2[k] - ep[k]); });
    }
};

// The smallest positive sigma and the first one, as ComfyUI passes them.
bool sigma_range(const std::vector<double>& sigmas, double& sigma_min, double& sigma_max) {
    if (sigmas.size() <= 1) return false;
    sigma_max = sigmas.front();
    sigma_min = sigmas.back() == 0.0 ? sigmas[sigmas.size() - 2] : sigmas.back();
    return sigma_min > 0.0 && sigma_max > 0.0;
}

}  // namespace

void dpm_fast(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    double sigma_min, sigma_max;
    if (!sigma_range(sigmas, sigma_min, sigma_max)) return;
    const int nfe = static_cast<int>(sigmas.size()) - 1;
    const double t_start = -std::log(sigma_max), t_end = -std::log(sigma_min);
    const int m = nfe / 3 + 1;
    std::vector<int> orders;
    if (nfe % 3 == 0) {
        orders.assign(static_cast<size_t>(std::max(m - 2, 0)), 3);
        orders.push_back(2);
        orders.push_back(1);
    } else {
        orders.assign(static_cast<size_t>(m - 1), 3);
        orders.push_back(nfe % 3);
    }
    EpsSolver solver{run, like(x)};
    Tensor e = like(x), e_r1 = like(x), next = like(x), denoised = like(x);
    for (size_t i = 0; i < orders.size(); ++i) {
        // torch.linspace(t_start, t_end, m + 1) evaluated in double here.
        const double t = t_start + (t_end - t_start) * static_cast<double>(i) / m;
        const double t_next = i + 1 == static_cast<size_t>(m) ? t_end
                                                                 : t_start + (t_end - t_start) * static_cast<double>(i + 1) / m;
        solver.eps(x, t, e);
        const double s = sigma_of(t);
        const float* xs = x.data();
        const float* ep = e.data();
        fill(denoised, [&](int64_t k) { return xs[k] - s * ep[k]; });
        call_step(run, static_cast<int>(i), x, denoised);
        bool have_r1 = false;
        if (orders[i] == 1) solver.step1(x, t, t_next, e, next);
        else if (orders[i] == 2) solver.step2(x, t, t_next, 0.5, e, e_r1, have_r1, next);
        else solver.step3(x, t, t_next, e, e_r1, have_r1, next);
        std::swap(x, next);
    }
}

void dpm_adaptive(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    double sigma_min, sigma_max;
    if (!sigma_range(sigmas, sigma_min, sigma_max)) return;
    const double t_start = -std::log(sigma_max), t_end = -std::log(sigma_min);
    const double rtol = 0.05, atol = 0.0078, accept_safety = 0.81, eps_ctrl = 1e-8;
    // PID controller with pcoeff 0, icoeff 1, dcoeff 0 and order 3: b1 = 1/3, b2 = b3 = 0.
    const double b1 = 1.0 / 3.0;
    double h = 0.05;
    bool have_errs = false;
    double errs[3] = {0, 0, 0};

    EpsSolver solver{run, like(x)};
    Tensor e = like(x), e_r1 = like(x), x_low = like(x), x_high = like(x), denoised = like(x);
    Tensor x_prev = x;
    double s = t_start;
    int iteration = 0;
    const int64_t n = x.size();
    while (s < t_end - 1e-5) {
        const double t = std::min(t_end, s + h);
        solver.eps(x, s, e);  // recomputed every attempt, as k-diffusion's per-attempt cache
        const double sig = sigma_of(s);
        {
            const float* xs = x.data();
            const float* ep = e.data();
            fill(denoised, [&](int64_t k) { return xs[k] - sig * ep[k]; });
        }
        bool have_r1 = false;
        solver.step2(x, s, t, 1.0 / 3.0, e, e_r1, have_r1, x_low);
        solver.step3(x, s, t, e, e_r1, have_r1, x_high);
        double sq = 0.0;
        for (int64_t k = 0; k < n; ++k) {
            const double lo = x_low.data()[k];
            const double delta = std::max(atol, rtol * std::max(std::fabs(lo), std::fabs(static_cast<double>(x_prev.data()[k]))));
            const double r = (lo - x_high.data()[k]) / delta;
            sq += r * r;
        }
        const double error = std::sqrt(sq) / std::sqrt(static_cast<double>(n));
        const double inv_error = 1.0 / (error + eps_ctrl);
        if (!have_errs) {
            errs[0] = errs[1] = errs[2] = inv_error;
            have_errs = true;
        }
        errs[0] = inv_error;
        const double factor = 1.0 + std::atan(std::pow(errs[0], b1) - 1.0);
        const bool accept = factor >= accept_safety;
        if (accept) {
            errs[2] = errs[1];
            errs[1] = errs[0];
        }
        h *= factor;
        if (accept) {
            x_prev = x_low;
            x = x_high;
            s = t;
        }
        call_step(run, iteration++, x, denoised);
    }
}

}  // namespace sdn::samplers
