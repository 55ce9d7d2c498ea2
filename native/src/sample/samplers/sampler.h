// The sampler interface: a k-diffusion style ODE/SDE solver that walks x down a list of
// sigmas using only a denoiser callback D(x, sigma) -> denoised. Keeping the model out of
// the solvers lets tests drive them with an analytic denoiser.
//
// Arithmetic: tensors are float32 like ComfyUI's; each element's update is evaluated in
// double from float inputs, and step coefficients (functions of the sigmas) are double.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace sdn {

// denoised = D(x, sigma); `denoised` is resized to x's shape by the callee if needed.
using Denoiser = std::function<void(const Tensor& x, double sigma, Tensor& denoised)>;
// For CFG++ samplers: the guided prediction and the unguided (uncond) one, both computed.
using GuidedDenoiser =
    std::function<void(const Tensor& x, double sigma, Tensor& denoised, Tensor& uncond)>;
// Unit-variance noise for the step from sigma to sigma_next, shaped like `out` (preset).
using NoiseSampler = std::function<void(double sigma, double sigma_next, Tensor& out)>;
// Called once per step after its first model call, as ComfyUI's sampler callback:
// step index i (0-based), the current x and the denoised prediction.
using StepCallback = std::function<void(int step, const Tensor& x, const Tensor& denoised)>;

// Which noise a sampler consumes during sampling (set up by the KSampler driver).
enum class SamplerNoise {
    kNone,       // deterministic
    kAncestral,  // torch CPU generator seeded seed+1, randn(x.shape) per call
    kBrownian,   // torchsde BrownianTree increments seeded with seed (brownian_tree_noise.h)
};

struct SamplerRun {
    Denoiser denoise;
    GuidedDenoiser denoise_with_uncond;  // required by samplers with needs_uncond
    NoiseSampler noise;     // required when the sampler's SamplerNoise is not kNone
    StepCallback on_step;   // optional
};

// Runs the sampler over sigmas (descending, usually ending in 0), updating x in place.
using SamplerFunction = void (*)(SamplerRun& run, Tensor& x, const std::vector<double>& sigmas);

struct SamplerInfo {
    const char* name;        // ComfyUI spelling
    SamplerFunction run;
    SamplerNoise noise;
    bool needs_uncond = false;  // CFG++: also needs the uncond prediction (even at cfg 1)
};

// The samplers this build implements, in ComfyUI's KSampler.SAMPLERS order.
const std::vector<SamplerInfo>& implemented_samplers();
// nullptr when the name is not implemented.
const SamplerInfo* find_sampler(const std::string& name);
// "euler, euler_ancestral, ..." for error messages.
std::string implemented_sampler_list();

namespace samplers {

// Small helpers shared by the solver files.
inline Tensor like(const Tensor& x) { return Tensor(x.shape()); }
inline void call_step(SamplerRun& run, int i, const Tensor& x, const Tensor& denoised) {
    if (run.on_step) run.on_step(i, x, denoised);
}
// out[k] = f(k) for every element, f returning double.
template <typename F>
void fill(Tensor& out, F&& f) {
    float* o = out.data();
    const int64_t n = out.size();
    for (int64_t k = 0; k < n; ++k) o[k] = static_cast<float>(f(k));
}

// (sigma_down, sigma_up) of an ancestral step with eta (k-diffusion get_ancestral_step).
void ancestral_step(double sigma, double sigma_next, double eta, double& sigma_down,
                    double& sigma_up);

// The sampler entry points, one family per file.
void euler(SamplerRun&, Tensor&, const std::vector<double>&);
void euler_ancestral(SamplerRun&, Tensor&, const std::vector<double>&);
void heun(SamplerRun&, Tensor&, const std::vector<double>&);
void heunpp2(SamplerRun&, Tensor&, const std::vector<double>&);
void exp_heun_2_x0(SamplerRun&, Tensor&, const std::vector<double>&);
void exp_heun_2_x0_sde(SamplerRun&, Tensor&, const std::vector<double>&);
void dpm_2(SamplerRun&, Tensor&, const std::vector<double>&);
void dpm_2_ancestral(SamplerRun&, Tensor&, const std::vector<double>&);
void lms(SamplerRun&, Tensor&, const std::vector<double>&);
void dpm_fast(SamplerRun&, Tensor&, const std::vector<double>&);
void dpm_adaptive(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_2s_ancestral(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_2m(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_sde(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_2m_sde(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_2m_sde_heun(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_3m_sde(SamplerRun&, Tensor&, const std::vector<double>&);
void ddpm(SamplerRun&, Tensor&, const std::vector<double>&);
void lcm(SamplerRun&, Tensor&, const std::vector<double>&);
void ipndm(SamplerRun&, Tensor&, const std::vector<double>&);
void ipndm_v(SamplerRun&, Tensor&, const std::vector<double>&);
void deis(SamplerRun&, Tensor&, const std::vector<double>&);
void res_multistep(SamplerRun&, Tensor&, const std::vector<double>&);
void res_multistep_ancestral(SamplerRun&, Tensor&, const std::vector<double>&);
void gradient_estimation(SamplerRun&, Tensor&, const std::vector<double>&);
void er_sde(SamplerRun&, Tensor&, const std::vector<double>&);
// CFG++ (Chung et al. 2024) variants: step along the uncond prediction, land on the guided one.
void euler_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void euler_ancestral_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_2s_ancestral_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void dpmpp_2m_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void res_multistep_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void res_multistep_ancestral_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void gradient_estimation_cfg_pp(SamplerRun&, Tensor&, const std::vector<double>&);
void seeds_2(SamplerRun&, Tensor&, const std::vector<double>&);
void seeds_3(SamplerRun&, Tensor&, const std::vector<double>&);
void sa_solver(SamplerRun&, Tensor&, const std::vector<double>&);
void sa_solver_pece(SamplerRun&, Tensor&, const std::vector<double>&);
void uni_pc(SamplerRun&, Tensor&, const std::vector<double>&);
void uni_pc_bh2(SamplerRun&, Tensor&, const std::vector<double>&);

}  // namespace samplers
}  // namespace sdn
