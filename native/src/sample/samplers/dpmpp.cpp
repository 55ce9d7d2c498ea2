// DPM-Solver++ deterministic family: 2S ancestral and 2M (Lu et al. 2022), in the
// t = -log(sigma) parametrisation of k-diffusion.
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

void dpmpp_2s_ancestral(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), x2 = like(x), denoised2 = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        double down, up;
        ancestral_step(s, s_next, 1.0, down, up);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* xs = x.data();
        if (down == 0.0) {
            fill(x, [&](int64_t k) { return xs[k] + (xs[k] - d[k]) / s * (down - s); });
        } else {
            const double t = -std::log(s), t_next = -std::log(down);
            const double h = t_next - t;
            const double t_mid = t + 0.5 * h;
            const double s_mid = std::exp(-t_mid);
            fill(x2, [&](int64_t k) { return (s_mid / s) * xs[k] - std::expm1(-0.5 * h) * d[k]; });
            run.denoise(x2, s_mid, denoised2);
            const float* d2 = denoised2.data();
            fill(x, [&](int64_t k) { return (down / s) * xs[k] - std::expm1(-h) * d2[k]; });
        }
        if (s_next > 0.0) {
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            const float* xn = x.data();
            fill(x, [&](int64_t k) { return xn[k] + n[k] * up; });
        }
    }
}

void dpmpp_2m(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    Tensor denoised = like(x), old_denoised = like(x);
    bool have_old = false;
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* od = old_denoised.data();
        const float* xs = x.data();
        const double t = -std::log(s);
        const double t_next = -std::log(s_next);  // +inf when s_next == 0
        const double h = t_next - t;
        const double ratio = s_next / s;
        const double em = std::expm1(-h);  // -1 when s_next == 0
        if (!have_old || s_next == 0.0) {
            fill(x, [&](int64_t k) { return ratio * xs[k] - em * d[k]; });
        } else {
            const double h_last = t - (-std::log(sigmas[i - 1]));
            const double r = h_last / h;
            const double a = 1.0 + 1.0 / (2.0 * r), b = 1.0 / (2.0 * r);
            fill(x, [&](int64_t k) { return ratio * xs[k] - em * (a * d[k] - b * od[k]); });
        }
        std::swap(old_denoised, denoised);
        have_old = true;
    }
}

}  // namespace sdn::samplers
