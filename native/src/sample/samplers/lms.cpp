// Linear multistep (k-diffusion sample_lms, order 4): x moves along a weighted sum of the
// last derivatives, the weights being integrals of Lagrange basis polynomials over the step.
#include <algorithm>
#include <deque>

#include "sampler.h"

namespace sdn::samplers {

namespace {

// Integral over [t[i], t[i+1]] of the Lagrange basis polynomial for node i-j among the
// nodes t[i], t[i-1], ..., t[i-order+1]. The integrand has degree <= 3, so 4-point
// Gauss-Legendre quadrature is exact (ComfyUI uses scipy's adaptive quad; same value).
double multistep_coefficient(int order, const std::vector<double>& t, int i, int j) {
    auto basis = [&](double tau) {
        double prod = 1.0;
        for (int k = 0; k < order; ++k) {
            if (k == j) continue;
            prod *= (tau - t[static_cast<size_t>(i - k)]) /
                    (t[static_cast<size_t>(i - j)] - t[static_cast<size_t>(i - k)]);
        }
        return prod;
    };
    static const double nodes[4] = {-0.8611363115940526, -0.3399810435848563,
                                    0.3399810435848563, 0.8611363115940526};
    static const double weights[4] = {0.3478548451374538, 0.6521451548625461,
                                      0.6521451548625461, 0.3478548451374538};
    const double a = t[static_cast<size_t>(i)], b = t[static_cast<size_t>(i + 1)];
    double sum = 0.0;
    for (int q = 0; q < 4; ++q) sum += weights[q] * basis(0.5 * (b - a) * nodes[q] + 0.5 * (a + b));
    return 0.5 * (b - a) * sum;
}

}  // namespace

void lms(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) {
    const int max_order = 4;
    Tensor denoised = like(x);
    std::deque<Tensor> ds;  // newest last
    for (size_t step = 0; step + 1 < sigmas.size(); ++step) {
        const int i = static_cast<int>(step);
        const double s = sigmas[step];
        run.denoise(x, s, denoised);
        Tensor d = like(x);
        const float* dn = denoised.data();
        const float* xs = x.data();
        fill(d, [&](int64_t k) { return (xs[k] - dn[k]) / s; });
        ds.push_back(std::move(d));
        if (static_cast<int>(ds.size()) > max_order) ds.pop_front();
        call_step(run, i, x, denoised);
        if (sigmas[step + 1] == 0.0) {
            fill(x, [&](int64_t k) { return dn[k]; });
            continue;
        }
        const int order = std::min(i + 1, max_order);
        std::vector<double> coeffs(static_cast<size_t>(order));
        for (int j = 0; j < order; ++j) coeffs[static_cast<size_t>(j)] = multistep_coefficient(order, sigmas, i, j);
        fill(x, [&](int64_t k) {
            double acc = 0.0;
            for (int j = 0; j < order; ++j)
                acc += coeffs[static_cast<size_t>(j)] * ds[ds.size() - 1 - static_cast<size_t>(j)].data()[k];
            return xs[k] + acc;
        });
    }
}

}  // namespace sdn::samplers
