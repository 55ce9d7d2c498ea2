// ER-SDE-Solver-3 (Cui et al., arXiv 2309.06169), VP form with ComfyUI's default noise
// scaler x (exp(x^0.3) + 10) and 200-point integrals (k-diffusion sample_er_sde). For EPS
// models the solver's lambda equals sigma and alpha is 1.
#include <algorithm>
#include <cmath>

#include "sampler.h"

namespace sdn::samplers {

namespace {

double noise_scaler(double v) { return v * (std::exp(std::pow(v, 0.3)) + 10.0); }

}  // namespace

void er_sde(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    const int max_stage = 3;
    const int points = 200;
    Tensor denoised = like(x), old_denoised = like(x), dd = like(x), old_dd = like(x), noise = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const int stage = std::min<int>(max_stage, static_cast<int>(i) + 1);
        const float* d = denoised.data();
        const float* xs = x.data();
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return d[k]; });
        } else {
            const double r = noise_scaler(s_next) / noise_scaler(s);
            fill(x, [&](int64_t k) { return r * xs[k] + (1.0 - r) * d[k]; });
            if (stage >= 2) {
                const double dt = s_next - s;
                const double step = -dt / points;
                double sum_inv = 0.0, sum_u = 0.0;
                for (int p = 0; p < points; ++p) {
                    const double pos = s_next + p * step;
                    const double scaled = noise_scaler(pos);
                    sum_inv += 1.0 / scaled;
                    sum_u += (pos - s) / scaled;
                }
                const double S = sum_inv * step, S_u = sum_u * step;
                const double ns_t = noise_scaler(s_next);
                const double span1 = s - sigmas[i - 1];
                const float* od = old_denoised.data();
                fill(dd, [&](int64_t k) { return (static_cast<double>(d[k]) - od[k]) / span1; });
                const float* ddp = dd.data();
                const float* xv = x.data();
                fill(x, [&](int64_t k) { return xv[k] + (dt + S * ns_t) * ddp[k]; });
                if (stage >= 3) {
                    const double span2 = (s - sigmas[i - 2]) / 2.0;
                    const float* oddp = old_dd.data();
                    const float* xw = x.data();
                    fill(x, [&](int64_t k) {
                        const double du = (static_cast<double>(ddp[k]) - oddp[k]) / span2;
                        return xw[k] + (dt * dt / 2.0 + S_u * ns_t) * du;
                    });
                }
                std::swap(old_dd, dd);
            }
            const double var = s_next * s_next - s * s * r * r;
            const double scale = var > 0.0 ? std::sqrt(var) : 0.0;  // nan_to_num(0)
            run.noise(s, s_next, noise);
            const float* n = noise.data();
            const float* xv = x.data();
            fill(x, [&](int64_t k) { return xv[k] + n[k] * scale; });
        }
        std::swap(old_denoised, denoised);
    }
}

}  // namespace sdn::samplers
