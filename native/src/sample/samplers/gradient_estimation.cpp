// Gradient estimation (Permenter & Yuan): Euler plus (gamma - 1) times the change of the
// derivative since the previous step, gamma = 2 (k-diffusion sample_gradient_estimation).
#include "sampler.h"

namespace sdn::samplers {

void gradient_estimation(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    const double gamma = 2.0;
    Tensor denoised = like(x), d = like(x), old_d = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1], dt = s_next - s;
        run.denoise(x, s, denoised);
        const float* dn = denoised.data();
        const float* xs = x.data();
        fill(d, [&](int64_t k) { return (xs[k] - dn[k]) / s; });
        call_step(run, static_cast<int>(i), x, denoised);
        const float* dc = d.data();
        const float* od = old_d.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return dn[k]; });
        } else if (i == 0) {
            fill(x, [&](int64_t k) { return xs[k] + dc[k] * dt; });
        } else {
            fill(x, [&](int64_t k) {
                const double euler = xs[k] + dc[k] * dt;
                return euler + (gamma - 1) * (static_cast<double>(dc[k]) - od[k]) * dt;
            });
        }
        std::swap(d, old_d);
    }
}

}  // namespace sdn::samplers
