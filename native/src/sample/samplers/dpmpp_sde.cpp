// Stochastic DPM-Solver++ samplers: dpmpp_sde (2S with noise at the midpoint), 2M SDE
// (midpoint and heun variants) and 3M SDE, with eta = s_noise = 1. They draw their noise from
// run.noise, which the KSampler driver backs with torchsde's BrownianTree as ComfyUI does
// (brownian_tree_noise.h).
#include <cmath>

#include "sample/torch_avx2_math.h"
#include "sampler.h"

namespace sdn::samplers {

namespace {

constexpr double kEta = 1.0;

// dpmpp_sde's intermediate sigma as ComfyUI computes it, in float32 torch ops: the
// half-log-SNRs -log(sigma) of both ends, their midpoint, back through exp(-lambda) with
// torch's AVX2 exp. It must be this float, not a double near it: the Brownian tree rounds
// query times to 1e-6, and crossing a grid point changes the noise by ~1e-3. (The C
// library's logf gave torch's values on every reference query; its expf did not.)
float midpoint_sigma(double s, double s_next) {
    const float lambda_s = -std::log(static_cast<float>(s));
    const float lambda_t = -std::log(static_cast<float>(s_next));
    const float h = lambda_t - lambda_s;
    const float lambda_mid = lambda_s + 0.5f * h;
    return torch_avx2_exp(-lambda_mid);
}

void add_scaled_noise(SamplerRun& run, Tensor& x, Tensor& noise, double s, double s_next,
                      double scale) {
    run.noise(s, s_next, noise);
    const float* n = noise.data();
    const float* xs = x.data();
    fill(x, [&](int64_t k) { return xs[k] + n[k] * scale; });
}

void multistep_sde(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, int max_order,
                   bool heun_correction) {
    if (sigmas.size() <= 1) return;
    Tensor denoised = like(x), d1 = like(x), d2 = like(x), noise = like(x);
    int history = 0;  // how many of d1 (previous denoised) and d2 (the one before) are valid
    double h_1 = 0, h_2 = 0;
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* p1 = d1.data();
        const float* p2 = d2.data();
        const float* xs = x.data();
        double h = 0;
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return d[k]; });
        } else {
            const double lambda_s = -std::log(s), lambda_t = -std::log(s_next);
            h = lambda_t - lambda_s;
            const double h_eta = h * (kEta + 1.0);
            const double alpha_t = s_next * std::exp(lambda_t);  // 1 for EPS models
            const double decay = s_next / s * std::exp(-h * kEta);
            const double phi1 = -std::expm1(-h_eta);
            const double phi_2 = std::expm1(-h_eta) / h_eta + 1.0;
            if (max_order >= 3 && history >= 2) {
                const double r0 = h_1 / h, r1 = h_2 / h;
                const double phi_3 = phi_2 / h_eta - 0.5;
                fill(x, [&](int64_t k) {
                    const double base = decay * xs[k] + alpha_t * phi1 * d[k];
                    const double d1_0 = (d[k] - p1[k]) / r0;
                    const double d1_1 = (p1[k] - p2[k]) / r1;
                    const double dd1 = d1_0 + (d1_0 - d1_1) * r0 / (r0 + r1);
                    const double dd2 = (d1_0 - d1_1) / (r0 + r1);
                    return base + (alpha_t * phi_2) * dd1 - (alpha_t * phi_3) * dd2;
                });
            } else if (history >= 1) {
                const double r = h_1 / h;
                fill(x, [&](int64_t k) {
                    const double base = decay * xs[k] + alpha_t * phi1 * d[k];
                    if (max_order >= 3) return base + (alpha_t * phi_2) * ((d[k] - p1[k]) / r);
                    if (heun_correction)
                        return base + alpha_t * (phi1 / (-h_eta) + 1.0) * (1.0 / r) * (d[k] - p1[k]);
                    return base + 0.5 * alpha_t * phi1 * (1.0 / r) * (d[k] - p1[k]);
                });
            } else {
                fill(x, [&](int64_t k) { return decay * xs[k] + alpha_t * phi1 * d[k]; });
            }
            add_scaled_noise(run, x, noise, s, s_next, s_next * std::sqrt(-std::expm1(-2.0 * h * kEta)));
        }
        // Shift the history: d2 <- d1 <- denoised (ComfyUI updates it on the final step too).
        std::swap(d2, d1);
        std::swap(d1, denoised);
        history = std::min(history + 1, 2);
        h_2 = h_1;
        h_1 = h;
    }
}

}  // namespace

void dpmpp_2m_sde(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    multistep_sde(run, x, sigmas, 2, false);
}

void dpmpp_2m_sde_heun(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    multistep_sde(run, x, sigmas, 2, true);
}

void dpmpp_3m_sde(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    multistep_sde(run, x, sigmas, 3, false);
}

void dpmpp_sde(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    if (sigmas.size() <= 1) return;
    const double r = 0.5, fac = 1.0 / (2.0 * r);
    Tensor denoised = like(x), x2 = like(x), denoised2 = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* xs = x.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return d[k]; });
            continue;
        }
        // EPS models: half-log-SNR lambda = -log(sigma), alpha = 1.
        const double lambda_s = -std::log(s);
        const double s_mid = midpoint_sigma(s, s_next);  // r = 1/2

        // Step 1: ancestral step to the midpoint.
        double down, up;
        ancestral_step(s, s_mid, kEta, down, up);
        double h_ = -std::log(down) - lambda_s;
        fill(x2, [&](int64_t k) { return std::exp(-h_) * xs[k] - std::expm1(-h_) * d[k]; });
        add_scaled_noise(run, x2, noise, s, s_mid, up);
        run.denoise(x2, s_mid, denoised2);

        // Step 2: from s to s_next with the combined prediction.
        ancestral_step(s, s_next, kEta, down, up);
        h_ = -std::log(down) - lambda_s;
        const float* d2 = denoised2.data();
        fill(x, [&](int64_t k) {
            const double dd = (1.0 - fac) * d[k] + fac * d2[k];
            return std::exp(-h_) * xs[k] - std::expm1(-h_) * dd;
        });
        add_scaled_noise(run, x, noise, s, s_next, up);
    }
}

}  // namespace sdn::samplers
