// Heun's method (Karras et al. 2022, Algorithm 2, no churn): Euler predictor, then the
// average of both slopes; the final step to sigma 0 is plain Euler.
#include "sampler.h"

namespace sdn::samplers {

void heun(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), x2 = like(x), denoised2 = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1], dt = s_next - s;
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* xs = x.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * dt; });
            continue;
        }
        fill(x2, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * dt; });
        run.denoise(x2, s_next, denoised2);
        const float* a = x2.data();
        const float* d2 = denoised2.data();
        fill(x, [&](int64_t k) {
            const double slope1 = (xs[k] - d[k]) / s;
            const double slope2 = (a[k] - d2[k]) / s_next;
            return xs[k] + (slope1 + slope2) / 2 * dt;
        });
    }
}

}  // namespace sdn::samplers
