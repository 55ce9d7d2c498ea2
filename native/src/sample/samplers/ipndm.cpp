// Improved pseudo-numerical methods (iPNDM, Zhang & Chen): Adams-Bashforth on the
// derivative history up to order 4, with fixed coefficients (ipndm) or coefficients for
// variable step sizes (ipndm_v).
#include <algorithm>
#include <deque>

#include "sampler.h"

namespace sdn::samplers {

namespace {

// Coefficients (newest derivative first) for ipndm_v at step i with `order` history points.
std::vector<double> variable_step_coefficients(const std::vector<double>& t, size_t i, int order) {
    const double h_n = t[i + 1] - t[i];
    if (order == 1) return {1.0};
    const double h_n_1 = t[i] - t[i - 1];
    if (order == 2) {
        return {(2 + h_n / h_n_1) / 2, -(h_n / h_n_1) / 2};
    }
    const double h_n_2 = t[i - 1] - t[i - 2];
    const double temp1 =
        (1 - h_n / (3 * (h_n + h_n_1)) * (h_n * (h_n + h_n_1)) / (h_n_1 * (h_n_1 + h_n_2))) / 2;
    if (order == 3) {
        return {(2 + h_n / h_n_1) / 2 + temp1, -(h_n / h_n_1) / 2 - (1 + h_n_1 / h_n_2) * temp1,
                temp1 * h_n_1 / h_n_2};
    }
    const double h_n_3 = t[i - 2] - t[i - 3];
    const double temp2 =
        ((1 - h_n / (3 * (h_n + h_n_1))) / 2 + (1 - h_n / (2 * (h_n + h_n_1))) * h_n / (6 * (h_n + h_n_1 + h_n_2))) *
        (h_n * (h_n + h_n_1) * (h_n + h_n_1 + h_n_2)) /
        (h_n_1 * (h_n_1 + h_n_2) * (h_n_1 + h_n_2 + h_n_3));
    const double ratio = h_n_1 * (h_n_1 + h_n_2) / (h_n_2 * (h_n_2 + h_n_3));
    return {(2 + h_n / h_n_1) / 2 + temp1 + temp2,
            -(h_n / h_n_1) / 2 - (1 + h_n_1 / h_n_2) * temp1 - (1 + h_n_1 / h_n_2 + ratio) * temp2,
            temp1 * h_n_1 / h_n_2 + (h_n_1 / h_n_2 + ratio * (1 + h_n_2 / h_n_3)) * temp2,
            -temp2 * ratio * h_n_1 / h_n_2};
}

std::vector<double> fixed_coefficients(int order) {
    switch (order) {
        case 1: return {1.0};
        case 2: return {3.0 / 2, -1.0 / 2};
        case 3: return {23.0 / 12, -16.0 / 12, 5.0 / 12};
        default: return {55.0 / 24, -59.0 / 24, 37.0 / 24, -9.0 / 24};
    }
}

void run_ipndm(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas, bool variable) {
    const int max_order = 4;
    Tensor denoised = like(x);
    std::deque<Tensor> history;  // previous derivatives, newest last (at most max_order-1)
    for (size_t i = 0; i + 1 < sigmas.size(); ++i) {
        const double s = sigmas[i], s_next = sigmas[i + 1];
        run.denoise(x, s, denoised);
        call_step(run, static_cast<int>(i), x, denoised);
        Tensor d = like(x);
        const float* dn = denoised.data();
        const float* xs = x.data();
        fill(d, [&](int64_t k) { return (xs[k] - dn[k]) / s; });
        const int order = std::min<int>(max_order, static_cast<int>(i) + 1);
        if (s_next == 0.0) {
            fill(x, [&](int64_t k) { return dn[k]; });
        } else {
            const auto c = variable ? variable_step_coefficients(sigmas, i, order) : fixed_coefficients(order);
            const float* dc = d.data();
            fill(x, [&](int64_t k) {
                double slope = c[0] * dc[k];
                for (int j = 1; j < order; ++j)
                    slope += c[static_cast<size_t>(j)] * history[history.size() - static_cast<size_t>(j)].data()[k];
                return xs[k] + (s_next - s) * slope;
            });
        }
        history.push_back(std::move(d));
        if (static_cast<int>(history.size()) > max_order - 1) history.pop_front();
    }
}

}  // namespace

void ipndm(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { run_ipndm(run, x, sigmas, false); }
void ipndm_v(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas) { run_ipndm(run, x, sigmas, true); }

}  // namespace sdn::samplers
