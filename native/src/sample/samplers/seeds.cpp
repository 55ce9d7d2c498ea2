// SEEDS-2 and SEEDS-3 (Gonzalez et al., arXiv 2305.14267) in data prediction and
// half-log-SNR time (eta 1), and
// the deterministic / stochastic exponential Heun methods that ComfyUI defines through it
// (exp_heun_2_x0: r = 1, eta = 0; exp_heun_2_x0_sde: r = 1, eta = 1; both "phi_2").
// EPS models: lambda = -log(sigma), alpha = 1.
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

namespace {

double h_phi_1(double h) { return std::expm1(h); }
double h_phi_2(double h) { return (std::expm1(h) - h) / h; }

void seeds_2_run(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, double eta, double r,
                 bool phi_2_solver) {
    const bool inject_noise = eta > 0.0;
    const double fac = 1.0 / (2.0 * r);
    Tensor denoised = like(x), x2 = like(x), denoised2 = like(x), sde_noise = like(x), n2 = like(x);
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
        const double lambda_s = -std::log(s), lambda_t = -std::log(s_next);
        const double h = lambda_t - lambda_s, h_eta = h * (eta + 1.0);
        const double lambda_mid = lambda_s + r * (lambda_t - lambda_s);
        const double s_mid = std::exp(-lambda_mid);

        // Step 1: to the intermediate point, with its share of the noise.
        const double a1 = s_mid / s * std::exp(-r * h * eta), b1 = h_phi_1(-r * h_eta);
        fill(x2, [&](int64_t k) { return a1 * xs[k] - b1 * d[k]; });
        if (inject_noise) {
            run.noise(s, s_mid, sde_noise);
            const double scale = std::sqrt(-std::expm1(-2.0 * r * h * eta));
            float* sn = sde_noise.data();
            for (int64_t k = 0; k < sde_noise.size(); ++k) sn[k] = static_cast<float>(sn[k] * scale);
            const float* xv = x2.data();
            fill(x2, [&](int64_t k) { return xv[k] + sn[k] * s_mid; });
        }
        run.denoise(x2, s_mid, denoised2);
        const float* d2 = denoised2.data();

        // Step 2: from s to s_next.
        const double decay = s_next / s * std::exp(-h * eta);
        if (phi_2_solver) {
            const double c2 = h_phi_2(-h_eta) / r, c1 = h_phi_1(-h_eta) - c2;
            fill(x, [&](int64_t k) { return decay * xs[k] - (c1 * d[k] + c2 * d2[k]); });
        } else {
            const double p1 = h_phi_1(-h_eta);
            fill(x, [&](int64_t k) { return decay * xs[k] - p1 * (d[k] + fac * (static_cast<double>(d2[k]) - d[k])); });
        }
        if (inject_noise) {
            const double segment = (r - 1.0) * h * eta;
            run.noise(s_mid, s_next, n2);  // drawn even when its weight is 0, as ComfyUI does
            const double keep = std::exp(segment), fresh = std::sqrt(-std::expm1(2.0 * segment));
            const float* sn = sde_noise.data();
            const float* nn = n2.data();
            const float* xv = x.data();
            fill(x, [&](int64_t k) { return xv[k] + (sn[k] * keep + fresh * nn[k]) * s_next; });
        }
    }
}

// Adds this segment's share of the path noise: the running noise decays by exp(segment) and
// gains fresh noise of variance 1 - exp(2 segment) (always drawn, as ComfyUI does).
void continue_noise(SamplerRun& run, Tensor& sde_noise, Tensor& fresh, double from, double to,
                    double segment) {
    run.noise(from, to, fresh);
    const double keep = std::exp(segment), add = std::sqrt(-std::expm1(2.0 * segment));
    float* sn = sde_noise.data();
    const float* f = fresh.data();
    for (int64_t k = 0; k < sde_noise.size(); ++k) sn[k] = static_cast<float>(sn[k] * keep + add * f[k]);
}

void seeds_3_run(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    const double eta = 1.0, r1 = 1.0 / 3.0, r2 = 2.0 / 3.0;
    Tensor denoised = like(x), x2 = like(x), d2 = like(x), x3 = like(x), d3 = like(x), sde = like(x),
           fresh = like(x);
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
        const double lambda_s = -std::log(s), lambda_t = -std::log(s_next);
        const double h = lambda_t - lambda_s, h_eta = h * (eta + 1.0);
        const double s1 = std::exp(-(lambda_s + r1 * h)), s2 = std::exp(-(lambda_s + r2 * h));

        // Stage 1: to s1.
        run.noise(s, s1, sde);
        {
            const double scale = std::sqrt(-std::expm1(-2.0 * r1 * h * eta));
            float* sn = sde.data();
            for (int64_t k = 0; k < sde.size(); ++k) sn[k] = static_cast<float>(sn[k] * scale);
        }
        const double a1 = s1 / s * std::exp(-r1 * h * eta), p1 = h_phi_1(-r1 * h_eta);
        const float* sn = sde.data();
        fill(x2, [&](int64_t k) { return a1 * xs[k] - p1 * d[k] + sn[k] * s1; });
        run.denoise(x2, s1, d2);
        const float* e2 = d2.data();

        // Stage 2: to s2.
        const double a32 = r2 / r1 * h_phi_2(-r2 * h_eta), a31 = h_phi_1(-r2 * h_eta) - a32;
        const double a2 = s2 / s * std::exp(-r2 * h * eta);
        continue_noise(run, sde, fresh, s1, s2, (r1 - r2) * h * eta);
        fill(x3, [&](int64_t k) { return a2 * xs[k] - (a31 * d[k] + a32 * e2[k]) + sn[k] * s2; });
        run.denoise(x3, s2, d3);
        const float* e3 = d3.data();

        // Stage 3: to s_next.
        const double b3 = h_phi_2(-h_eta) / r2, b1 = h_phi_1(-h_eta) - b3;
        const double decay = s_next / s * std::exp(-h * eta);
        continue_noise(run, sde, fresh, s2, s_next, (r2 - 1.0) * h * eta);
        fill(x, [&](int64_t k) { return decay * xs[k] - (b1 * d[k] + b3 * e3[k]) + sn[k] * s_next; });
    }
}

}  // namespace

void seeds_3(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { seeds_3_run(run, x, sigmas); }

void seeds_2(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    seeds_2_run(run, x, sigmas, 1.0, 0.5, false);
}
void exp_heun_2_x0(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    seeds_2_run(run, x, sigmas, 0.0, 1.0, true);
}
void exp_heun_2_x0_sde(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    seeds_2_run(run, x, sigmas, 1.0, 1.0, true);
}

}  // namespace sdn::samplers
