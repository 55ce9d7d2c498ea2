// SA-Solver (Xue et al., NeurIPS 2023, arXiv 2309.05019): stochastic Adams predictor
// (order 3) and corrector (order 4) in data prediction and half-log-SNR time, with noise
// (tau = 1) only while sigma lies between percent_to_sigma(0.2) and percent_to_sigma(0.8);
// sa_solver_pece re-evaluates the model after each correction (k-diffusion sample_sa_solver).
// EPS models: lambda = -log(sigma), alpha = 1.
#include <algorithm>
#include <cmath>
#include <deque>

#include "sample/samplers/small_linear_solve.h"
#include "sample/sigma_schedule.h"
#include "sampler.h"

namespace sdn::samplers {

namespace {

// (1 + tau^2) * integral_s^t exp((1 + tau^2)(x - t)) x^p dx for p = 0..order-1, by the
// integration-by-parts recursion.
std::vector<double> exponential_coeffs(double s, double t, int order, double tau) {
    const double tau_mul = 1.0 + tau * tau, h = t - s;
    std::vector<double> product(static_cast<size_t>(order));
    for (int p = 0; p < order; ++p)
        product[static_cast<size_t>(p)] = std::pow(t, p) - std::pow(s, p) * std::exp(-tau_mul * h);
    std::vector<double> out(static_cast<size_t>(order), 0.0);
    for (int i = 0; i < order; ++i)
        for (int j = 0; j <= i; ++j) {
            const int depth = i - j;
            double log_c = std::lgamma(i + 1.0) - std::lgamma(j + 1.0);
            if (tau > 0) log_c -= depth * std::log(tau_mul);
            out[static_cast<size_t>(i)] += (depth % 2 == 0 ? 1.0 : -1.0) * std::exp(log_c) * product[static_cast<size_t>(j)];
        }
    return out;
}

// Weights of the stored predictions (oldest first) for a step from lambda_s to lambda_t.
std::vector<double> adams_coeffs(const std::vector<double>& lambdas, double lambda_s, double lambda_t, double tau) {
    const int n = static_cast<int>(lambdas.size());
    const auto rhs = exponential_coeffs(lambda_s, lambda_t, n, tau);
    // Transposed Vandermonde: row p holds lambda_k^p.
    std::vector<std::vector<double>> vt(static_cast<size_t>(n), std::vector<double>(static_cast<size_t>(n)));
    for (int p = 0; p < n; ++p)
        for (int k = 0; k < n; ++k) vt[static_cast<size_t>(p)][static_cast<size_t>(k)] = std::pow(lambdas[static_cast<size_t>(k)], p);
    return solve_small_linear(vt, rhs);  // times alpha_t = 1
}

void sa_solver_run(SamplerRun& run, Tensor& x_in, const std::vector<double>& sigmas, bool pece) {
    if (sigmas.size() <= 1) return;
    const int predictor_order = 3, corrector_order = 4, max_order = 4;
    const auto& schedule = DiscreteSchedule::sd15();
    const double tau_start = schedule.percent_to_sigma(0.2), tau_end = schedule.percent_to_sigma(0.8);
    auto tau_of = [&](double sigma) { return tau_start >= sigma && sigma >= tau_end ? 1.0 : 0.0; };
    const int n = static_cast<int>(sigmas.size());
    std::vector<double> lambdas(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) lambdas[static_cast<size_t>(i)] = -std::log(sigmas[static_cast<size_t>(i)]);
    const bool lower_order_to_end = sigmas.back() == 0.0;

    Tensor x = x_in, x_pred = x_in, noise = like(x_in), denoised = like(x_in);
    std::deque<Tensor> preds;
    double h = 0.0, tau_t = 0.0;
    auto combine = [&](const std::vector<double>& b, Tensor& out, double scale, const Tensor& base,
                       const Tensor* add_noise) {
        const size_t k0 = preds.size() - b.size();
        const float* bs = base.data();
        const float* nz = add_noise ? add_noise->data() : nullptr;
        fill(out, [&](int64_t k) {
            double v = scale * bs[k];
            for (size_t j = 0; j < b.size(); ++j) v += b[j] * preds[k0 + j].data()[k];
            return nz ? v + nz[k] : v;
        });
    };

    for (int i = 0; i + 1 < n; ++i) {
        const auto ui = static_cast<size_t>(i);
        run.denoise(x_pred, sigmas[ui], denoised);
        call_step(run, i, x_pred, denoised);
        preds.push_back(denoised);
        if (static_cast<int>(preds.size()) > max_order) preds.pop_front();

        const int stored = static_cast<int>(preds.size());
        int p_order = std::min(predictor_order, stored);
        int c_order = (i == 0 || (sigmas[ui + 1] == 0.0 && !pece)) ? 0 : std::min(corrector_order, stored);
        if (lower_order_to_end) {
            p_order = std::min(p_order, n - 2 - i);
            c_order = std::min(c_order, n - 1 - i);
        }

        // Corrector.
        if (c_order == 0) {
            x = x_pred;
        } else {
            std::vector<double> curr(lambdas.begin() + (i - c_order + 1), lambdas.begin() + (i + 1));
            const auto b = adams_coeffs(curr, lambdas[ui - 1], lambdas[ui], tau_t);
            const double scale = sigmas[ui] / sigmas[ui - 1] * std::exp(-(tau_t * tau_t) * h);
            Tensor corrected = like(x);
            combine(b, corrected, scale, x, tau_t > 0 ? &noise : nullptr);
            x = std::move(corrected);
            if (pece) {
                run.denoise(x, sigmas[ui], denoised);
                preds.back() = denoised;
            }
        }

        // Predictor.
        if (sigmas[ui + 1] == 0.0) {
            x_pred = preds.back();
        } else {
            tau_t = tau_of(sigmas[ui + 1]);
            std::vector<double> curr(lambdas.begin() + (i - p_order + 1), lambdas.begin() + (i + 1));
            const auto b = adams_coeffs(curr, lambdas[ui], lambdas[ui + 1], tau_t);
            h = lambdas[ui + 1] - lambdas[ui];
            const double scale = sigmas[ui + 1] / sigmas[ui] * std::exp(-(tau_t * tau_t) * h);
            if (tau_t > 0) {
                run.noise(sigmas[ui], sigmas[ui + 1], noise);
                const double amp = sigmas[ui + 1] * std::sqrt(-std::expm1(-2.0 * tau_t * tau_t * h));
                float* nz = noise.data();
                for (int64_t k = 0; k < noise.size(); ++k) nz[k] = static_cast<float>(nz[k] * amp);
            }
            combine(b, x_pred, scale, x, tau_t > 0 ? &noise : nullptr);
        }
    }
    x_in = x_pred;
}

}  // namespace

void sa_solver(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { sa_solver_run(run, x, sigmas, false); }
void sa_solver_pece(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { sa_solver_run(run, x, sigmas, true); }

}  // namespace sdn::samplers
