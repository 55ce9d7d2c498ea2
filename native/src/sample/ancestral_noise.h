// The noise of the ancestral (and other default-noise) samplers: ComfyUI's
// default_noise_sampler on the CPU, a fresh torch generator seeded with seed + 1 and one
// randn(x.shape) per call, continuing the same stream.
#pragma once

#include <cstdint>

#include "core/tensor.h"
#include "torch_rng.h"

namespace sdn {

class AncestralNoise {
public:
    explicit AncestralNoise(uint64_t seed) : gen_(seed + 1) {}
    void operator()(double, double, Tensor& out) { gen_.randn(out.data(), out.size()); }

private:
    TorchGenerator gen_;
};

}  // namespace sdn
