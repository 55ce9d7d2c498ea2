// Samplers that jump through the variance-preserving (VP) view of the schedule:
// ddpm (an ancestral DDPM posterior step) and lcm (consistency: jump to the prediction, then
// re-noise to the next sigma).
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

void ddpm(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        // alpha-bar at both noise levels, and the one-step alpha between them.
        const double acp = 1.0 / (s * s + 1.0);
        const double acp_prev = 1.0 / (s_next * s_next + 1.0);
        const double alpha = acp / acp_prev;
        const double in_scale = 1.0 / std::sqrt(1.0 + s * s);
        const double out_scale = s_next != 0.0 ? std::sqrt(1.0 + s_next * s_next) : 1.0;
        const double mean_scale = std::sqrt(1.0 / alpha);
        const double eps_scale = (1.0 - alpha) / std::sqrt(1.0 - acp);
        const float* d = denoised.data();
        const float* xs = x.data();
        if (s_next > 0.0) {
            run.noise(s, s_next, noise);
            const double noise_scale = std::sqrt((1.0 - alpha) * (1.0 - acp_prev) / (1.0 - acp));
            const float* n = noise.data();
            fill(x, [&](int64_t k) {
                const double eps = (xs[k] - d[k]) / s;
                const double mu = mean_scale * (xs[k] * in_scale - eps_scale * eps);
                return (mu + noise_scale * n[k]) * out_scale;
            });
        } else {
            fill(x, [&](int64_t k) {
                const double eps = (xs[k] - d[k]) / s;
                return mean_scale * (xs[k] * in_scale - eps_scale * eps) * out_scale;
            });
        }
    }
}

void lcm(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        if (s_next > 0.0) {
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            fill(x, [&](int64_t k) { return n[k] * s_next + d[k]; });  // EPS noise_scaling
        } else {
            fill(x, [&](int64_t k) { return d[k]; });
        }
    }
}

}  // namespace sdn::samplers
