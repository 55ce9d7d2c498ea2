// DPM-Solver-2 inspired midpoint sampler (k-diffusion sample_dpm_2) and its ancestral form.
// The midpoint is the geometric mean of the two sigmas.
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

namespace {

// One midpoint step from s to `target` (> 0); denoised at s is already known.
void midpoint_step(SamplerRun& run, Tensor& x, const Tensor& denoised, double s, double target,
                   Tensor& x2, Tensor& denoised2) {
    const double s_mid = std::exp(0.5 * (std::log(s) + std::log(target)));
    const float* d = denoised.data();
    const float* xs = x.data();
    fill(x2, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * (s_mid - s); });
    run.denoise(x2, s_mid, denoised2);
    const float* a = x2.data();
    const float* d2 = denoised2.data();
    fill(x, [&](int64_t k) { return xs[k] + (a[k] - d2[k]) / s_mid * (target - s); });
}

}  // namespace

void dpm_2(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), x2 = like(x), denoised2 = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        if (s_next == 0.0) {
            const float* d = denoised.data();
            const float* xs = x.data();
            fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * (s_next - s); });
        } else {
            midpoint_step(run, x, denoised, s, s_next, x2, denoised2);
        }
    }
}

void dpm_2_ancestral(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), x2 = like(x), denoised2 = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        double down, up;
        ancestral_step(s, s_next, 1.0, down, up);
        call_step(run, static_cast<int>(i), x, denoised);
        if (down == 0.0) {
            const float* d = denoised.data();
            const float* xs = x.data();
            fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * (down - s); });
        } else {
            midpoint_step(run, x, denoised, s, down, x2, denoised2);
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            const float* xs = x.data();
            fill(x, [&](int64_t k) { return xs[k] + n[k] * up; });
        }
    }
}

}  // namespace sdn::samplers
