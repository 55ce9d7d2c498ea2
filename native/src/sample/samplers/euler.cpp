// Euler (Karras et al. 2022, Algorithm 2 without churn) and Euler ancestral.
#include <algorithm>
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

void ancestral_step(double sigma, double sigma_next, double eta, double& sigma_down,
                    double& sigma_up) {
    if (eta == 0.0) {
        sigma_down = sigma_next;
        sigma_up = 0.0;
        return;
    }
    sigma_up = std::min(sigma_next, eta * std::sqrt(sigma_next * sigma_next *
                                                    (sigma * sigma - sigma_next * sigma_next) /
                                                    (sigma * sigma)));
    sigma_down = std::sqrt(sigma_next * sigma_next - sigma_up * sigma_up);
}

void euler(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], dt = sigmas[i + 1] - s;
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* xs = x.data();
        fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * dt; });
    }
}

void euler_ancestral(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        double down, up;
        ancestral_step(s, s_next, 1.0, down, up);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* xs = x.data();
        if (down == 0.0) {
            fill(x, [&](int64_t k) { return d[k]; });
        } else {
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * (down - s) + n[k] * up; });
        }
    }
}

}  // namespace sdn::samplers
