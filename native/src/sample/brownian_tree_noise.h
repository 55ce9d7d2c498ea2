// ComfyUI's BrownianTreeNoiseSampler (with its BatchedBrownianTree), the noise of dpmpp_sde,
// dpmpp_2m_sde(_heun) and dpmpp_3m_sde: a torchsde BrownianTree over
// [sigma_min, sigma_max] of the schedule actually sampled (the smallest non-zero and the
// largest sigma, float32 values), seeded with the KSampler seed, built on the CPU, with the
// identity time transform (tree time = sigma).
//
// noise(sigma, sigma_next) = sign * W(min, max) / sqrt(|sigma_next - sigma|), sign = -1 for
// the samplers' descending queries, evaluated in float32 as torch does.
//
// An integer seed (what KSampler passes) makes one tree over the whole [B, C, h, w] latent;
// a list of B seeds makes one tree per batch item, stacked. A schedule whose non-zero sigmas
// all round to one 1e-6 value (a single step) spans no tree; all its noise is zero.
#pragma once

#include <cstdint>
#include <vector>

#include "brownian_tree.h"
#include "core/tensor.h"

namespace sdn {

class BrownianTreeNoise {
public:
    // One tree over `shape`, seeded with `seed`.
    BrownianTreeNoise(uint64_t seed, float sigma_min, float sigma_max, const std::vector<int64_t>& shape);
    // One tree per batch item: item b (shape[1:]) is seeded with seeds[b]; seeds.size() == shape[0].
    BrownianTreeNoise(const std::vector<uint64_t>& seeds, float sigma_min, float sigma_max,
                      const std::vector<int64_t>& shape);

    // Unit-variance noise for the step from sigma to sigma_next, written to `out` (shaped
    // like the latent). The sigmas are float32 values (a double that is not one is rounded).
    void operator()(double sigma, double sigma_next, Tensor& out);

private:
    std::vector<BrownianTree> trees_;
};

}  // namespace sdn
