#include "schedulers.h"

#include <algorithm>
#include <cmath>

#include "beta_distribution.h"
#include "core/error.h"

namespace sdn {

namespace {

// torch.linspace in float32: symmetric evaluation from both ends.
std::vector<float> linspace_f32(float start, float end, int steps) {
    std::vector<float> v(static_cast<size_t>(steps));
    if (steps == 1) {
        v[0] = start;
        return v;
    }
    const float step = (end - start) / static_cast<float>(steps - 1);
    for (int i = 0; i < steps; ++i)
        v[static_cast<size_t>(i)] = i < steps / 2 ? start + step * static_cast<float>(i)
                                                  : end - step * static_cast<float>(steps - i - 1);
    return v;
}

double as_float(double v) { return static_cast<double>(static_cast<float>(v)); }

std::vector<double> normal(const DiscreteSchedule& s, int steps, bool sgm) {
    const float start = static_cast<float>(s.timestep(s.sigma_max()));
    const float end = static_cast<float>(s.timestep(s.sigma_min()));
    bool append_zero = true;
    std::vector<float> ts;
    if (sgm) {
        ts = linspace_f32(start, end, steps + 1);
        ts.pop_back();
    } else {
        if (std::fabs(s.sigma(end)) <= 1e-5) {  // a model whose schedule reaches 0
            steps += 1;
            append_zero = false;
        }
        ts = linspace_f32(start, end, steps);
    }
    std::vector<double> out;
    for (float t : ts) out.push_back(s.sigma(t));
    if (append_zero) out.push_back(0.0);
    return out;
}

std::vector<double> karras(const DiscreteSchedule& s, int n) {
    const double rho = 7.0;
    const double min_inv = std::pow(static_cast<double>(s.sigma_min()), 1.0 / rho);
    const double max_inv = std::pow(static_cast<double>(s.sigma_max()), 1.0 / rho);
    std::vector<float> ramp = linspace_f32(0.0f, 1.0f, n);
    std::vector<double> out;
    for (float r : ramp) out.push_back(as_float(std::pow(max_inv + r * (min_inv - max_inv), rho)));
    out.push_back(0.0);
    return out;
}

std::vector<double> exponential(const DiscreteSchedule& s, int n) {
    const auto ls = linspace_f32(static_cast<float>(std::log(static_cast<double>(s.sigma_max()))),
                                 static_cast<float>(std::log(static_cast<double>(s.sigma_min()))), n);
    std::vector<double> out;
    for (float l : ls) out.push_back(std::exp(l));  // float exp, as torch
    out.push_back(0.0);
    return out;
}

std::vector<double> simple(const DiscreteSchedule& s, int steps) {
    const double ss = static_cast<double>(DiscreteSchedule::kTimesteps) / steps;
    std::vector<double> out;
    for (int x = 0; x < steps; ++x) {
        const int back = 1 + static_cast<int>(x * ss);
        out.push_back(s.sigma_at_index(DiscreteSchedule::kTimesteps - back));
    }
    out.push_back(0.0);
    return out;
}

std::vector<double> ddim_uniform(const DiscreteSchedule& s, int steps) {
    std::vector<double> ascending;
    if (std::fabs(s.sigma_at_index(1)) <= 1e-5) {
        steps += 1;
    } else {
        ascending.push_back(0.0);
    }
    const int ss = std::max(DiscreteSchedule::kTimesteps / steps, 1);
    for (int x = 1; x < DiscreteSchedule::kTimesteps; x += ss) ascending.push_back(s.sigma_at_index(x));
    return std::vector<double>(ascending.rbegin(), ascending.rend());
}

std::vector<double> beta(const DiscreteSchedule& s, int steps) {
    const double alpha = 0.6, beta_param = 0.6;
    const int total = DiscreteSchedule::kTimesteps - 1;
    std::vector<double> out;
    double last_t = -1;
    for (int i = 0; i < steps; ++i) {
        const double q = 1.0 - static_cast<double>(i) / steps;  // numpy linspace, endpoint=False
        const double t = std::nearbyint(beta_ppf(q, alpha, beta_param) * total);  // rint: half-even
        if (t != last_t) out.push_back(s.sigma_at_index(static_cast<int>(t)));
        last_t = t;
    }
    out.push_back(0.0);
    return out;
}

std::vector<double> linear_quadratic(const DiscreteSchedule& s, int steps) {
    const double threshold = 0.025;
    std::vector<double> sched;
    if (steps == 1) {
        sched = {1.0, 0.0};
    } else {
        const int linear_steps = steps / 2;
        for (int i = 0; i < linear_steps; ++i) sched.push_back(i * threshold / linear_steps);
        const double step_diff = linear_steps - threshold * steps;
        const int quadratic_steps = steps - linear_steps;
        const double quad_coef =
            step_diff / (linear_steps * static_cast<double>(quadratic_steps) * quadratic_steps);
        const double lin_coef = threshold / linear_steps -
                                2 * step_diff / (static_cast<double>(quadratic_steps) * quadratic_steps);
        const double constant = quad_coef * linear_steps * linear_steps;
        for (int i = linear_steps; i < steps; ++i)
            sched.push_back(quad_coef * i * i + lin_coef * i + constant);
        sched.push_back(1.0);
        for (double& v : sched) v = 1.0 - v;
    }
    for (double& v : sched) v = as_float(static_cast<float>(v) * s.sigma_max());
    return sched;
}

std::vector<double> kl_optimal(const DiscreteSchedule& s, int n) {
    std::vector<double> out;
    const double amin = std::atan(static_cast<double>(s.sigma_min()));
    const double amax = std::atan(static_cast<double>(s.sigma_max()));
    for (int i = 0; i < n; ++i) {
        const float a = n > 1 ? static_cast<float>(i) / static_cast<float>(n - 1) : 0.0f;
        out.push_back(as_float(std::tan(a * amin + (1.0 - a) * amax)));
    }
    out.push_back(0.0);
    return out;
}

}  // namespace

const std::vector<std::string>& scheduler_names() {
    static const std::vector<std::string> names = {"simple", "sgm_uniform", "karras",
                                                   "exponential", "ddim_uniform", "beta",
                                                   "normal", "linear_quadratic", "kl_optimal"};
    return names;
}

bool is_known_scheduler(const std::string& name) {
    for (const auto& n : scheduler_names())
        if (n == name) return true;
    return false;
}

std::vector<double> scheduler_sigmas(const std::string& name, const DiscreteSchedule& s,
                                     int steps) {
    SDN_REQUIRE(steps >= 1, SDN_ERR_INVALID_ARGUMENT, "steps must be at least 1");
    if (name == "normal") return normal(s, steps, false);
    if (name == "sgm_uniform") return normal(s, steps, true);
    if (name == "karras") return karras(s, steps);
    if (name == "exponential") return exponential(s, steps);
    if (name == "simple") return simple(s, steps);
    if (name == "ddim_uniform") return ddim_uniform(s, steps);
    if (name == "beta") return beta(s, steps);
    if (name == "linear_quadratic") return linear_quadratic(s, steps);
    if (name == "kl_optimal") return kl_optimal(s, steps);
    std::string list;
    for (const auto& n : scheduler_names()) list += (list.empty() ? "" : ", ") + n;
    fail(SDN_ERR_INVALID_ARGUMENT, "unknown scheduler '" + name + "'; supported: " + list);
}

}  // namespace sdn
