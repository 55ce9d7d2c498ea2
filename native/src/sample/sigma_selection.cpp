#include "sigma_selection.h"

#include "schedulers.h"

namespace sdn {

bool sampler_discards_penultimate_sigma(const std::string& sampler) {
    return sampler == "dpm_2" || sampler == "dpm_2_ancestral" || sampler == "uni_pc" ||
           sampler == "uni_pc_bh2";
}

std::vector<double> calculate_sigmas(const std::string& sampler, const std::string& scheduler,
                                     const DiscreteSchedule& schedule, int steps) {
    const bool discard = sampler_discards_penultimate_sigma(sampler);
    std::vector<double> sigmas = scheduler_sigmas(scheduler, schedule, discard ? steps + 1 : steps);
    if (discard && sigmas.size() >= 2) sigmas.erase(sigmas.end() - 2);
    return sigmas;
}

std::vector<double> sigmas_for_denoise(const std::string& sampler, const std::string& scheduler,
                                       const DiscreteSchedule& schedule, int steps, double denoise) {
    if (denoise > 0.9999) return calculate_sigmas(sampler, scheduler, schedule, steps);
    if (denoise <= 0.0) return {};
    const int new_steps = static_cast<int>(steps / denoise);  // Python int(): truncation
    std::vector<double> all = calculate_sigmas(sampler, scheduler, schedule, new_steps);
    const size_t keep = static_cast<size_t>(steps) + 1;
    if (all.size() <= keep) return all;
    return std::vector<double>(all.end() - static_cast<std::ptrdiff_t>(keep), all.end());
}

bool apply_step_range(std::vector<double>& sigmas, int start_step, int end_step,
                      bool force_full_denoise) {
    const auto steps_of = [&] { return static_cast<int64_t>(sigmas.size()) - 1; };
    if (end_step < steps_of()) {
        sigmas.resize(static_cast<size_t>(end_step) + 1);
        if (force_full_denoise) sigmas.back() = 0.0;
    }
    if (start_step < steps_of()) {
        sigmas.erase(sigmas.begin(), sigmas.begin() + start_step);
        return true;
    }
    return false;
}

}  // namespace sdn
