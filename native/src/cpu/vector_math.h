// Branch-free float approximations of exp, erf and tanh written so the compiler can vectorise
// loops that call them (std::exp does not vectorise without fast-math). Accuracy: exp ~2 ulp
// (Cephes polynomial on [-ln2/2, ln2/2]); erf absolute error < 1.5e-7 (Abramowitz & Stegun
// 7.1.26); tanh absolute error ~1e-7. Included inside a per-variant namespace, so it has no
// includes of its own: the including file provides <bit>, <cstdint> and <cmath>.

inline float vm_exp(float x_in) {
    // Clamp so that 2^n stays a normal float; below -87.3 the result is flushed to 0 at the
    // end, so exp(-inf) (a masked logit) is exactly 0.
    float x = x_in < -87.3f ? -87.3f : x_in;
    x = x > 88.3f ? 88.3f : x;
    // n = round(x / ln2) by the magic-number trick (1.5 * 2^23), which also leaves n in the
    // low mantissa bits.
    const float magic = 12582912.0f;
    float t = x * 1.44269504088896341f + magic;
    float n = t - magic;
    float r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    float y = p * r * r + r + 1.0f;
    int32_t ni = std::bit_cast<int32_t>(t) - std::bit_cast<int32_t>(magic);
    float scale = std::bit_cast<float>((ni + 127) << 23);
    return x_in < -87.3f ? 0.0f : y * scale;
}

inline float vm_erf(float x) {
    float ax = x < 0.0f ? -x : x;
    float t = 1.0f / (1.0f + 0.3275911f * ax);
    float poly = t * (0.254829592f +
                      t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
    float y = 1.0f - poly * vm_exp(-ax * ax);
    return x < 0.0f ? -y : y;
}

inline float vm_tanh(float x) {
    // tanh(x) = 1 - 2 / (exp(2x) + 1); exact enough near 0 for gelu (absolute error ~1e-7).
    return 1.0f - 2.0f / (vm_exp(2.0f * x) + 1.0f);
}

inline float vm_sigmoid(float x) { return 1.0f / (1.0f + vm_exp(-x)); }
