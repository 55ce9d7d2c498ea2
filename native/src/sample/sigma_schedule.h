// The discrete noise schedule of SD1.x (ComfyUI's ModelSamplingDiscrete with the "linear"
// beta schedule): 1000 training sigmas and the maps between sigma and timestep.
#pragma once

#include <array>
#include <cstddef>

namespace sdn {

class DiscreteSchedule {
public:
    static constexpr int kTimesteps = 1000;

    // betas = linspace(sqrt(start), sqrt(end), 1000)^2 in double; sigmas stored as float.
    DiscreteSchedule(double linear_start = 0.00085, double linear_end = 0.012);

    // The schedule SD1.5 uses.
    static const DiscreteSchedule& sd15();

    float sigma_at_index(int i) const { return sigmas_[static_cast<size_t>(i)]; }
    float sigma_min() const { return sigmas_[0]; }
    float sigma_max() const { return sigmas_[kTimesteps - 1]; }

    // The integer timestep whose log-sigma is nearest to log(sigma) (first one on ties).
    // This is what the UNet receives: not interpolated.
    int timestep(double sigma) const;
    // sigma at a fractional timestep: clamp to [0, 999], interpolate log-sigma linearly.
    // Float32 arithmetic, as torch does it.
    float sigma(double t) const;
    // start/end percent of a conditioning -> sigma (<=0: 999999999.9, >=1: 0).
    double percent_to_sigma(double percent) const;

private:
    std::array<float, kTimesteps> sigmas_{};
    std::array<float, kTimesteps> log_sigmas_{};
};

}  // namespace sdn
