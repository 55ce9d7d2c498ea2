// Which sigmas a KSampler / KSamplerAdvanced run uses: the scheduler's table adjusted for
// the sampler (discard-penultimate), denoise, and the start/end step range
// (comfy/samplers.py KSampler.calculate_sigmas / set_steps / sample).
#pragma once

#include <string>
#include <vector>

#include "sigma_schedule.h"

namespace sdn {

// dpm_2, dpm_2_ancestral, uni_pc, uni_pc_bh2: computed for steps+1, second-to-last dropped.
bool sampler_discards_penultimate_sigma(const std::string& sampler);

// KSampler.calculate_sigmas for `steps` (discard-penultimate rule included).
std::vector<double> calculate_sigmas(const std::string& sampler, const std::string& scheduler,
                                     const DiscreteSchedule& schedule, int steps);

// KSampler.set_steps: denoise > 0.9999 -> full table; denoise <= 0 -> empty (input returned
// unchanged); otherwise the last steps+1 values of the int(steps/denoise)-step table.
std::vector<double> sigmas_for_denoise(const std::string& sampler, const std::string& scheduler,
                                       const DiscreteSchedule& schedule, int steps, double denoise);

// KSamplerAdvanced's step range. Returns false when the range leaves nothing to do (the
// input latent is then returned unchanged); otherwise narrows `sigmas` in place.
bool apply_step_range(std::vector<double>& sigmas, int start_step, int end_step,
                      bool force_full_denoise);

}  // namespace sdn
