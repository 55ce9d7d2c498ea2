// Gradient estimation (Permenter & Yuan): Euler plus (gamma - 1) times the change of the
// derivative since the previous step, gamma = 2 (k-diffusion sample_gradient_estimation).
#include "sampler.h"

namespace sdn::samplers {

namespace {

void gradient_estimation_run(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, bool cfg_pp) {
    const double gamma = 2.0;
    Tensor denoised = like(x), d = like(x), old_d = like(x), uncond = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1], dt = s_next - s;
        if (cfg_pp) run.denoise_with_uncond(x, s, denoised, uncond);
        else run.denoise(x, s, denoised);
        const float* dn = denoised.data();
        const float* slope_from = cfg_pp ? uncond.data() : dn;
        const float* xs = x.data();
        fill(d, [&](int64_t k) { return (xs[k] - slope_from[k]) / s; });
        call_step(run, static_cast<int>(i), x, denoised);
        const float* dc = d.data();
        const float* od = old_d.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return dn[k]; });
        } else {
            fill(x, [&](int64_t k) {
                // CFG++ lands on the guided prediction and re-noises along the uncond slope.
                const double euler = cfg_pp ? dn[k] + dc[k] * s_next : xs[k] + dc[k] * dt;
                if (i == 0) return euler;
                return euler + (gamma - 1) * (static_cast<double>(dc[k]) - od[k]) * dt;
            });
        }
        std::swap(d, old_d);
    }
}

}  // namespace

void gradient_estimation(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    gradient_estimation_run(run, x, sigmas, false);
}

void gradient_estimation_cfg_pp(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    gradient_estimation_run(run, x, sigmas, true);
}

}  // namespace sdn::samplers
