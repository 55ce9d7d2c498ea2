// Noise sources used during sampling.
//
// AncestralNoise: ComfyUI's default_noise_sampler on the CPU — a fresh torch generator
// seeded with seed+1, one randn(x.shape) per call. Bit-compatible with ComfyUI on the CPU.
//
// BrownianNoise: a stand-in for torchsde's BrownianTree used by the SDE samplers. It is a
// genuine Brownian motion W over [sigma_min, sigma_max] built lazily by Brownian-bridge
// refinement: W(sigma_min) = 0, W(sigma_max) ~ N(0, sigma_max - sigma_min), and any new
// point between two known ones is drawn from the bridge distribution. Draws come from a
// torch-compatible generator seeded with `seed`, in query order, so a run is deterministic.
// It is NOT bit-identical to torchsde (whose tree uses its own PRNG splitting), so SDE
// sampler outputs match ComfyUI only statistically.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

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

class BrownianNoise {
public:
    BrownianNoise(uint64_t seed, double sigma_min, double sigma_max, std::vector<int64_t> shape);

    // (W(sigma_next) - W(sigma)) / sqrt(|sigma_next - sigma|): unit variance.
    void operator()(double sigma, double sigma_next, Tensor& out);

private:
    const Tensor& value_at(double t);

    TorchGenerator gen_;
    double t0_, t1_;
    std::vector<int64_t> shape_;
    std::map<double, Tensor> known_;
};

}  // namespace sdn
