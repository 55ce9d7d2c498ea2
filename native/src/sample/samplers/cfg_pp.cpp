// CFG++ samplers (Chung et al. 2024, as in k-diffusion's *_cfg_pp): the step direction uses
// the unguided (uncond) prediction while the landing point uses the guided one. For EPS
// models alpha = 1, so the VP factors of the reference drop out.
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

namespace {

void euler_ancestral_cfg_pp_run(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, double eta) {
    Tensor denoised = like(x), uncond = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise_with_uncond(x, s, denoised, uncond);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* u = uncond.data();
        const float* xs = x.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return d[k]; });
            continue;
        }
        double down, up;
        ancestral_step(s, s_next, eta, down, up);
        fill(x, [&](int64_t k) { return d[k] + down * (xs[k] - u[k]) / s; });
        if (eta > 0.0) {
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            const float* xn = x.data();
            fill(x, [&](int64_t k) { return xn[k] + n[k] * up; });
        }
    }
}

}  // namespace

void euler_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    euler_ancestral_cfg_pp_run(run, x, sigmas, 0.0);
}

void euler_ancestral_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    euler_ancestral_cfg_pp_run(run, x, sigmas, 1.0);
}

void dpmpp_2s_ancestral_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), uncond = like(x), x2 = like(x), denoised2 = like(x), uncond2 = like(x),
           guidance = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise_with_uncond(x, s, denoised, uncond);
        const float* d = denoised.data();
        const float* u = uncond.data();
        fill(guidance, [&](int64_t k) { return static_cast<double>(d[k]) - u[k]; });
        double down, up;
        ancestral_step(s, s_next, 1.0, down, up);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* xs = x.data();
        if (down == 0.0) {
            fill(x, [&](int64_t k) { return xs[k] + (xs[k] - u[k]) / s * (down - s); });
        } else {
            const double h = std::log(s / down);
            const double s_mid = std::exp(-(-std::log(s) + 0.5 * h));
            fill(x2, [&](int64_t k) { return (s_mid / s) * xs[k] - std::expm1(-0.5 * h) * u[k]; });
            // The midpoint call only refreshes the uncond prediction it steps with.
            run.denoise_with_uncond(x2, s_mid, denoised2, uncond2);
            const float* u2 = uncond2.data();
            fill(x, [&](int64_t k) { return (down / s) * xs[k] - std::expm1(-h) * u2[k]; });
        }
        if (s_next > 0.0) {
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            const float* xn = x.data();
            fill(x, [&](int64_t k) { return xn[k] + n[k] * up; });
        }
        const float* g = guidance.data();
        const float* xg = x.data();
        fill(x, [&](int64_t k) { return xg[k] + g[k]; });
    }
}

void dpmpp_2m_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), uncond = like(x), old_uncond = like(x);
    bool have_old = false;
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise_with_uncond(x, s, denoised, uncond);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* u = uncond.data();
        const float* ou = old_uncond.data();
        const float* xs = x.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return d[k]; });  // exp(-h) = 0
        } else {
            const double h = std::log(s / s_next), decay = std::exp(-h);
            if (!have_old) {
                fill(x, [&](int64_t k) { return d[k] - decay * u[k] + decay * xs[k]; });
            } else {
                const double r = std::log(sigmas[i - 1] / s) / h;
                const double c = std::expm1(-h) * (1.0 / (2.0 * r));
                fill(x, [&](int64_t k) {
                    const double mix = -decay * u[k] - c * (static_cast<double>(d[k]) - ou[k]);
                    return d[k] + mix + decay * xs[k];
                });
            }
        }
        std::swap(old_uncond, uncond);
        have_old = true;
    }
}

}  // namespace sdn::samplers
