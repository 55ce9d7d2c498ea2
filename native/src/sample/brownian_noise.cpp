#include "brownian_noise.h"

#include <algorithm>
#include <cmath>

namespace sdn {

BrownianNoise::BrownianNoise(uint64_t seed, double sigma_min, double sigma_max,
                             std::vector<int64_t> shape)
    : gen_(seed), t0_(std::min(sigma_min, sigma_max)), t1_(std::max(sigma_min, sigma_max)),
      shape_(std::move(shape)) {
    Tensor w0(shape_);
    Tensor w1(shape_);
    gen_.randn(w1.data(), w1.size());
    const double scale = std::sqrt(t1_ - t0_);
    for (int64_t k = 0; k < w1.size(); ++k) w1.data()[k] = static_cast<float>(w1.data()[k] * scale);
    known_.emplace(t0_, std::move(w0));
    if (t1_ > t0_) known_.emplace(t1_, std::move(w1));
}

const Tensor& BrownianNoise::value_at(double t) {
    t = std::clamp(t, t0_, t1_);
    auto hit = known_.find(t);
    if (hit != known_.end()) return hit->second;
    auto hi = known_.upper_bound(t);  // first point above t (exists: t < t1)
    auto lo = std::prev(hi);          // last point below t (exists: t > t0)
    const double ta = lo->first, tb = hi->first;
    const double w = (t - ta) / (tb - ta);
    const double sd = std::sqrt((t - ta) * (tb - t) / (tb - ta));
    Tensor v(shape_);
    gen_.randn(v.data(), v.size());
    const float* a = lo->second.data();
    const float* b = hi->second.data();
    float* o = v.data();
    for (int64_t k = 0; k < v.size(); ++k)
        o[k] = static_cast<float>(a[k] + w * (static_cast<double>(b[k]) - a[k]) + sd * o[k]);
    return known_.emplace(t, std::move(v)).first->second;
}

void BrownianNoise::operator()(double sigma, double sigma_next, Tensor& out) {
    const double span = std::fabs(sigma_next - sigma);
    if (span == 0.0) {
        std::fill(out.data(), out.data() + out.size(), 0.0f);
        return;
    }
    // Copy the first value: inserting the second may not move it (std::map), but be explicit.
    const Tensor from = value_at(sigma);
    const Tensor& to = value_at(sigma_next);
    const double inv = 1.0 / std::sqrt(span);
    for (int64_t k = 0; k < out.size(); ++k)
        out.data()[k] = static_cast<float>((static_cast<double>(to.data()[k]) - from.data()[k]) * inv);
}

}  // namespace sdn
