#include "sigma_schedule.h"

#include <cmath>

namespace sdn {

DiscreteSchedule::DiscreteSchedule(double linear_start, double linear_end) {
    const double a = std::sqrt(linear_start);
    const double b = std::sqrt(linear_end);
    double alphas_cumprod = 1.0;
    for (int i = 0; i < kTimesteps; ++i) {
        // numpy/torch linspace in double: start + i*step for the first half, end - ... after.
        const double step = (b - a) / (kTimesteps - 1);
        const double root = i < kTimesteps / 2 ? a + step * i : b - step * (kTimesteps - 1 - i);
        const double beta = root * root;
        alphas_cumprod *= 1.0 - beta;
        const double sigma = std::sqrt((1.0 - alphas_cumprod) / alphas_cumprod);
        sigmas_[static_cast<size_t>(i)] = static_cast<float>(sigma);
        log_sigmas_[static_cast<size_t>(i)] = static_cast<float>(std::log(sigma));
    }
}

const DiscreteSchedule& DiscreteSchedule::sd15() {
    static const DiscreteSchedule schedule;
    return schedule;
}

int DiscreteSchedule::timestep(double sigma) const {
    const float log_sigma = std::log(static_cast<float>(sigma));
    int best = 0;
    float best_dist = std::fabs(log_sigma - log_sigmas_[0]);
    for (int i = 1; i < kTimesteps; ++i) {
        const float d = std::fabs(log_sigma - log_sigmas_[static_cast<size_t>(i)]);
        if (d < best_dist) {
            best_dist = d;
            best = i;
        }
    }
    return best;
}

float DiscreteSchedule::sigma(double t_in) const {
    float t = static_cast<float>(t_in);
    if (!(t > 0.0f)) t = 0.0f;
    if (t > static_cast<float>(kTimesteps - 1)) t = static_cast<float>(kTimesteps - 1);
    const float lo = std::floor(t);
    const float w = t - lo;
    const auto lo_i = static_cast<size_t>(lo);
    const auto hi_i = static_cast<size_t>(std::ceil(t));
    const float log_sigma = (1.0f - w) * log_sigmas_[lo_i] + w * log_sigmas_[hi_i];
    return std::exp(log_sigma);
}

double DiscreteSchedule::percent_to_sigma(double percent) const {
    if (percent <= 0.0) return 999999999.9;
    if (percent >= 1.0) return 0.0;
    return sigma((1.0 - percent) * 999.0);
}

}  // namespace sdn
