// Heun++ (heunpp2): Heun with a third evaluation two sigmas ahead, weighting the slopes by
// their sigmas relative to the first (k-diffusion sample_heunpp2, no churn).
#include "sampler.h"

namespace sdn::samplers {

void heunpp2(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    if (sigmas.size() < 2) return;
    const double s_end = sigmas.back();
    Tensor denoised = like(x), x2 = like(x), d2 = like(x), x3 = like(x), d3 = like(x);
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s1 = sigmas[i + 1], dt = s1 - s;
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        const float* d = denoised.data();
        const float* xs = x.data();
        auto slope = [&](int64_t k) { return (xs[k] - d[k]) / s; };
        if (s1 == s_end) {
            fill(x, [&](int64_t k) { return xs[k] + slope(k) * dt; });
            continue;
        }
        fill(x2, [&](int64_t k) { return xs[k] + slope(k) * dt; });
        run.denoise(x2, s1, d2);
        const float* a = x2.data();
        const float* b = d2.data();
        if (sigmas[i + 2] == s_end) {
            const double w2 = s1 / (2 * sigmas[0]), w1 = 1 - w2;
            fill(x, [&](int64_t k) { return xs[k] + (slope(k) * w1 + (a[k] - b[k]) / s1 * w2) * dt; });
            continue;
        }
        const double s2 = sigmas[i + 2];
        fill(x3, [&](int64_t k) { return a[k] + (a[k] - b[k]) / s1 * (s2 - s1); });
        run.denoise(x3, s2, d3);
        const float* c = x3.data();
        const float* e = d3.data();
        const double w2 = s1 / (3 * sigmas[0]), w3 = s2 / (3 * sigmas[0]), w1 = 1 - w2 - w3;
        fill(x, [&](int64_t k) {
            return xs[k] + (w1 * slope(k) + w2 * (a[k] - b[k]) / s1 + w3 * (c[k] - e[k]) / s2) * dt;
        });
    }
}

}  // namespace sdn::samplers
