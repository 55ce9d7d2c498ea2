#include "torch_rng.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "torch_avx2_math.h"

namespace sdn {

namespace {

constexpr double kPi = 3.14159265358979323846;

// One Box-Muller block of 16 uniforms in place, pairing j with j + 8, in float32 with the
// log and sincos of torch's AVX2 kernel, so the values are torch's bit for bit on x86-64.
void box_muller_16(float* d) {
    const float two_pi = static_cast<float>(2.0 * kPi);
    for (int j = 0; j < 8; ++j) {
        const float u1 = 1.0f - d[j];  // [0,1) -> (0,1] so the log is finite
        const float u2 = d[j + 8];
        const float radius = std::sqrt(-2.0f * torch_avx2_log(u1));
        const float theta = two_pi * u2;
        float sine, cosine;
        torch_avx2_sincos(theta, sine, cosine);
        d[j] = radius * cosine;
        d[j + 8] = radius * sine;
    }
}

}  // namespace

void TorchGenerator::manual_seed(uint64_t seed) {
    engine_.seed(static_cast<uint32_t>(seed & 0xffffffffu));
    cached_normal_.reset();
}

double TorchGenerator::uniform53() {
    // torch's random64(): the first 32-bit draw is the high word.
    const uint64_t hi = next_u32();
    const uint64_t lo = next_u32();
    const uint64_t bits = ((hi << 32) | lo) & ((uint64_t(1) << 53) - 1);
    return static_cast<double>(bits) * (1.0 / static_cast<double>(uint64_t(1) << 53));
}

float TorchGenerator::scalar_normal() {
    if (cached_normal_) {
        const double v = *cached_normal_;
        cached_normal_.reset();
        return static_cast<float>(v);
    }
    const double u1 = uniform53();
    const double u2 = uniform53();
    const double radius = std::sqrt(-2.0 * std::log1p(-u2));
    const double theta = 2.0 * kPi * u1;
    cached_normal_ = radius * std::sin(theta);
    return static_cast<float>(radius * std::cos(theta));
}

void TorchGenerator::normal_fill(float* out, int64_t n) {
    auto uniform24 = [this] {
        return static_cast<float>(next_u32() & ((1u << 24) - 1)) * (1.0f / 16777216.0f);
    };
    for (int64_t i = 0; i < n; ++i) out[i] = uniform24();
    for (int64_t i = 0; i + 16 <= n; i += 16) box_muller_16(out + i);
    if (n % 16 != 0) {
        float* tail = out + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform24();
        box_muller_16(tail);
    }
}

void TorchGenerator::randn(float* out, int64_t n) {
    if (n >= 16) {
        normal_fill(out, n);
    } else {
        for (int64_t i = 0; i < n; ++i) out[i] = scalar_normal();
    }
}

std::vector<float> TorchGenerator::randn(int64_t n) {
    std::vector<float> v(static_cast<size_t>(n));
    randn(v.data(), n);
    return v;
}

Tensor prepare_noise(const std::vector<int64_t>& shape, uint64_t seed,
                     const std::vector<int64_t>& batch_index) {
    Tensor noise(shape);
    TorchGenerator gen(seed);
    if (batch_index.empty()) {
        gen.randn(noise.data(), noise.size());
        return noise;
    }
    SDN_REQUIRE(static_cast<int64_t>(batch_index.size()) == shape[0], SDN_ERR_INVALID_ARGUMENT,
                "batch_index must have one entry per batch item");
    const int64_t item = noise.size() / shape[0];
    int64_t max_index = 0;
    for (int64_t b : batch_index) {
        SDN_REQUIRE(b >= 0 && b < (int64_t(1) << 20), SDN_ERR_INVALID_ARGUMENT,
                    "batch_index values must be in 0..2^20");
        max_index = std::max(max_index, b);
    }
    // Draw sequentially up to the largest index; duplicates share a draw (np.unique inverse).
    std::vector<float> draw(static_cast<size_t>(item));
    for (int64_t i = 0; i <= max_index; ++i) {
        gen.randn(draw.data(), item);
        for (size_t b = 0; b < batch_index.size(); ++b)
            if (batch_index[b] == i)
                std::copy(draw.begin(), draw.end(), noise.data() + static_cast<int64_t>(b) * item);
    }
    return noise;
}

}  // namespace sdn
