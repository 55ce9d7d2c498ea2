#include "torch_float_exp.h"

#include <cmath>
#include <limits>

namespace sdn {

float torch_exp_f32(float x) {
    if (std::isnan(x)) return x;
    if (x < -104.0f) return 0.0f;
    if (x > 100.0f) return std::numeric_limits<float>::infinity();
    // x = q ln2 + s, with ln 2 split in two so that q * ln2_hi is exact.
    constexpr float kInvLn2 = 1.442695040888963407359924681001892137426645954152985934135449406931f;
    constexpr float kLn2Hi = 0.693145751953125f;
    constexpr float kLn2Lo = 1.428606765330187045e-06f;
    const float q = std::nearbyint(x * kInvLn2);  // round half to even, as the vector rint
    float s = std::fma(q, -kLn2Hi, x);
    s = std::fma(q, -kLn2Lo, s);
    // exp(s) = 1 + s + s^2 * p(s), p a minimax fit of (exp(s) - 1 - s) / s^2.
    float p = 0.000198527617612853646278381f;
    p = std::fma(p, s, 0.00139304355252534151077271f);
    p = std::fma(p, s, 0.00833336077630519866943359f);
    p = std::fma(p, s, 0.0416664853692054748535156f);
    p = std::fma(p, s, 0.166666671633720397949219f);
    p = std::fma(p, s, 0.5f);
    const float u = 1.0f + std::fma(s * s, p, s);
    // Scale by 2^q in two halves so neither factor overflows.
    const int qi = static_cast<int>(q);
    const int half = qi >> 1;
    return u * std::ldexp(1.0f, half) * std::ldexp(1.0f, qi - half);
}

}  // namespace sdn
