// ComfyUI's schedulers: step count -> descending sigmas ending in 0 (comfy/samplers.py).
#pragma once

#include <string>
#include <vector>

#include "sigma_schedule.h"

namespace sdn {

// ComfyUI's KSampler.SCHEDULERS, in its order (the first is the UI default).
const std::vector<std::string>& scheduler_names();
bool is_known_scheduler(const std::string& name);

// The sigmas of scheduler `name` for `steps` steps (values rounded to float, as ComfyUI
// returns a FloatTensor). Length is usually steps+1, but ddim_uniform and beta may differ.
// Throws Error(SDN_ERR_INVALID_ARGUMENT) for an unknown name.
std::vector<double> scheduler_sigmas(const std::string& name, const DiscreteSchedule& schedule,
                                     int steps);

}  // namespace sdn
