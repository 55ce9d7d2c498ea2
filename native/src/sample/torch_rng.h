// A re-implementation of torch's CPU random normal generator, so that a seed gives the same
// initial noise as ComfyUI (which always draws its noise on the CPU).
//
// torch keeps one MT19937 engine per generator, seeded with only the low 32 bits of the
// seed. randn over a contiguous float32 tensor takes one of two paths:
//  * 16 or more elements ("normal_fill"): draw all N uniforms first (24-bit mantissa each),
//    then Box-Muller in blocks of 16 pairing element j with j+8; when N is not a multiple
//    of 16 the last 16 slots are refilled with fresh uniforms and transformed again. The
//    transform is float32 with torch's AVX2 log and sincos (torch_avx2_math.h), so x86-64
//    torch gives the same bits; torch builds without AVX2 differ by about 1e-6.
//  * fewer than 16 elements: one element at a time through the double-precision
//    normal_distribution, which draws two 53-bit uniforms per pair and caches the sine half
//    of the pair for the next element.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "core/tensor.h"

namespace sdn {

class TorchGenerator {
public:
    explicit TorchGenerator(uint64_t seed) { manual_seed(seed); }

    // Like torch.Generator.manual_seed: reseeds and forgets any cached normal sample.
    void manual_seed(uint64_t seed);

    // torch.randn(n) continuing this generator's stream.
    void randn(float* out, int64_t n);
    std::vector<float> randn(int64_t n);

    // The raw engine outputs, for tests.
    uint32_t next_u32() { return static_cast<uint32_t>(engine_()); }

private:
    void normal_fill(float* out, int64_t n);  // the >= 16 elements path
    float scalar_normal();                    // the < 16 elements path
    double uniform53();

    // std::mt19937 is the same MT19937 torch uses (same seeding recurrence and tempering).
    std::mt19937 engine_;
    std::optional<double> cached_normal_;
};

// ComfyUI's prepare_noise: noise for a latent of `shape` ([B, C, h, w]).
// Without batch_index, one randn over the whole batch. With it, items 0..max(index) are
// drawn one at a time ([1, C, h, w] each) and item b of the result is draw batch_index[b].
Tensor prepare_noise(const std::vector<int64_t>& shape, uint64_t seed,
                     const std::vector<int64_t>& batch_index = {});

}  // namespace sdn
