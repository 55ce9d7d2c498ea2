// RES multistep (Zhang et al., arXiv 2308.02157): a second-order exponential multistep
// method in t = -log(sigma); eta 0 for res_multistep, eta 1 (ancestral) for
// res_multistep_ancestral; the _cfg_pp forms step along the uncond prediction
// (k-diffusion res_multistep).
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

namespace {

double phi1(double t) { return std::expm1(t) / t; }
double phi2(double t) { return (phi1(t) - 1.0) / t; }
double finite_or_zero(double v) { return std::isnan(v) ? 0.0 : v; }

void res_multistep_run(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, double eta,
                       bool cfg_pp) {
    Tensor denoised = like(x), old_denoised = like(x), noise = like(x), uncond = like(x);
    bool have_old = false;
    double old_sigma_down = 0.0;
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        if (cfg_pp) run.denoise_with_uncond(x, s, denoised, uncond);
        else run.denoise(x, s, denoised);
        double down, up;
        ancestral_step(s, s_next, eta, down, up);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* u = uncond.data();
        const float* od = old_denoised.data();
        const float* xs = x.data();
        if (down == 0.0 || !have_old) {
            if (cfg_pp)
                fill(x, [&](int64_t k) { return d[k] + (xs[k] - u[k]) / s * down; });
            else
                fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * (down - s); });
        } else {
            const double t = -std::log(s), t_old = -std::log(old_sigma_down);
            const double t_next = -std::log(down), t_prev = -std::log(sigmas[i - 1]);
            const double h = t_next - t;
            const double c2 = (t_prev - t_old) / h;
            const double b1 = finite_or_zero(phi1(-h) - phi2(-h) / c2);
            const double b2 = finite_or_zero(phi2(-h) / c2);
            const double decay = std::exp(-h);
            if (cfg_pp)  // shift x by the guidance, then step with the uncond prediction
                fill(x, [&](int64_t k) {
                    const double shifted = xs[k] + (static_cast<double>(d[k]) - u[k]);
                    return decay * shifted + h * (b1 * u[k] + b2 * od[k]);
                });
            else
                fill(x, [&](int64_t k) { return decay * xs[k] + h * (b1 * d[k] + b2 * od[k]); });
        }
        // With eta = 0 sigma_up is 0: ComfyUI still draws (and discards) the noise, which
        // cannot change x, so nothing is drawn here.
        if (s_next > 0.0 && up != 0.0) {
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            const float* xn = x.data();
            fill(x, [&](int64_t k) { return xn[k] + n[k] * up; });
        }
        std::swap(old_denoised, cfg_pp ? uncond : denoised);
        have_old = true;
        old_sigma_down = down;
    }
}

}  // namespace

void res_multistep(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    res_multistep_run(run, x, sigmas, 0.0, false);
}

void res_multistep_ancestral(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    res_multistep_run(run, x, sigmas, 1.0, false);
}

void res_multistep_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    res_multistep_run(run, x, sigmas, 0.0, true);
}

void res_multistep_ancestral_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    res_multistep_run(run, x, sigmas, 1.0, true);
}

}  // namespace sdn::samplers
