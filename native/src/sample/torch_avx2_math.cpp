#include "torch_avx2_math.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

namespace sdn {

namespace {

constexpr uint32_t kSignBit = 0x80000000u;

}  // namespace

float torch_avx2_exp(float x) {
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

float torch_avx2_log(float x) {
    if (!(x > 0.0f)) return std::numeric_limits<float>::quiet_NaN();
    x = std::max(x, std::numeric_limits<float>::min());  // subnormals count as the smallest normal
    // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); log x = log m + e log 2.
    const uint32_t u = std::bit_cast<uint32_t>(x);
    float e = static_cast<float>(static_cast<int>(u >> 23) - 0x7f) + 1.0f;
    float m = std::bit_cast<float>((u & 0x007fffffu) | 0x3f000000u);  // mantissa scaled to [0.5, 1)
    const bool small = m < 0.707106781186547524f;
    const float low_half = small ? m : 0.0f;
    m = m - 1.0f;
    e = e - (small ? 1.0f : 0.0f);
    m = m + low_half;  // m - 1 in [sqrt(1/2) - 1, sqrt(2) - 1)
    const float z = m * m;
    // log(1 + m) = m - m^2/2 + m^3 P(m).
    float y = 7.0376836292e-2f;
    y = std::fma(y, m, -1.1514610310e-1f);
    y = std::fma(y, m, 1.1676998740e-1f);
    y = std::fma(y, m, -1.2420140846e-1f);
    y = std::fma(y, m, 1.4249322787e-1f);
    y = std::fma(y, m, -1.6668057665e-1f);
    y = std::fma(y, m, 2.0000714765e-1f);
    y = std::fma(y, m, -2.4999993993e-1f);
    y = std::fma(y, m, 3.3333331174e-1f);
    // log 2 is split as 0.693359375 - 2.12194440e-4; the small part joins the polynomial.
    const float e_low = e * -2.12194440e-4f;
    y = y * m;
    y = std::fma(y, z, e_low);
    y = std::fma(z, -0.5f, y);
    const float sum = m + y;
    return std::fma(e, 0.693359375f, sum);
}

void torch_avx2_sincos(float x, float& sine, float& cosine) {
    uint32_t sin_sign = std::bit_cast<uint32_t>(x) & kSignBit;
    x = std::fabs(x);
    // Octant j (made even), x reduced by j * pi/4 in three parts (Cody-Waite).
    int j = static_cast<int>(x * 1.27323954473516f);  // 4/pi, truncated
    j = (j + 1) & ~1;
    const float y = static_cast<float>(j);
    sin_sign ^= static_cast<uint32_t>(j & 4) << 29;
    const uint32_t cos_sign = static_cast<uint32_t>(~(j - 2) & 4) << 29;
    const bool swap = (j & 2) != 0;
    x = std::fma(y, -0.78515625f, x);
    x = std::fma(y, -2.4187564849853515625e-4f, x);
    x = std::fma(y, -3.77489497744594108e-8f, x);
    const float z = x * x;
    // cos x = 1 - z/2 + z^2 C(z)
    float c = 2.443315711809948e-5f;
    c = std::fma(c, z, -1.388731625493765e-3f);
    c = std::fma(c, z, 4.166664568298827e-2f);
    const float half_z = z * 0.5f;
    c = c * z;
    c = std::fma(c, z, -half_z);
    c = c + 1.0f;
    // sin x = x + x z S(z)
    float s = -1.9515295891e-4f;
    s = std::fma(s, z, 8.3321608736e-3f);
    s = std::fma(s, z, -1.6666654611e-1f);
    s = s * z;
    s = std::fma(s, x, x);
    sine = std::bit_cast<float>(std::bit_cast<uint32_t>(swap ? c : s) ^ sin_sign);
    cosine = std::bit_cast<float>(std::bit_cast<uint32_t>(swap ? s : c) ^ cos_sign);
}

}  // namespace sdn
