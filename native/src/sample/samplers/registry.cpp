// Name -> sampler table, in ComfyUI's KSampler.SAMPLERS order. "ddim" is euler (it differs
// only in how the KSampler driver noises the unmasked region, see ksampler.cpp); the _gpu
// variants differ in ComfyUI only by where the Brownian tree lives (the latent's device, so
// the CUDA generator on a GPU); ours is always the CPU tree, which is what ComfyUI on the CPU
// draws for them too.
#include "sampler.h"

namespace sdn {

const std::vector<SamplerInfo>& implemented_samplers() {
    using namespace samplers;
    static const std::vector<SamplerInfo> table = {
        {"euler", euler, SamplerNoise::kNone},
        {"euler_cfg_pp", euler_cfg_pp, SamplerNoise::kNone, true},
        {"euler_ancestral", euler_ancestral, SamplerNoise::kAncestral},
        {"euler_ancestral_cfg_pp", euler_ancestral_cfg_pp, SamplerNoise::kAncestral, true},
        {"heun", heun, SamplerNoise::kNone},
        {"heunpp2", heunpp2, SamplerNoise::kNone},
        {"exp_heun_2_x0", exp_heun_2_x0, SamplerNoise::kNone},
        {"exp_heun_2_x0_sde", exp_heun_2_x0_sde, SamplerNoise::kAncestral},
        {"dpm_2", dpm_2, SamplerNoise::kNone},
        {"dpm_2_ancestral", dpm_2_ancestral, SamplerNoise::kAncestral},
        {"lms", lms, SamplerNoise::kNone},
        {"dpm_fast", dpm_fast, SamplerNoise::kNone},
        {"dpm_adaptive", dpm_adaptive, SamplerNoise::kNone},
        {"dpmpp_2s_ancestral", dpmpp_2s_ancestral, SamplerNoise::kAncestral},
        {"dpmpp_2s_ancestral_cfg_pp", dpmpp_2s_ancestral_cfg_pp, SamplerNoise::kAncestral, true},
        {"dpmpp_sde", dpmpp_sde, SamplerNoise::kBrownian},
        {"dpmpp_sde_gpu", dpmpp_sde, SamplerNoise::kBrownian},
        {"dpmpp_2m", dpmpp_2m, SamplerNoise::kNone},
        {"dpmpp_2m_cfg_pp", dpmpp_2m_cfg_pp, SamplerNoise::kNone, true},
        {"dpmpp_2m_sde", dpmpp_2m_sde, SamplerNoise::kBrownian},
        {"dpmpp_2m_sde_gpu", dpmpp_2m_sde, SamplerNoise::kBrownian},
        {"dpmpp_2m_sde_heun", dpmpp_2m_sde_heun, SamplerNoise::kBrownian},
        {"dpmpp_2m_sde_heun_gpu", dpmpp_2m_sde_heun, SamplerNoise::kBrownian},
        {"dpmpp_3m_sde", dpmpp_3m_sde, SamplerNoise::kBrownian},
        {"dpmpp_3m_sde_gpu", dpmpp_3m_sde, SamplerNoise::kBrownian},
        {"ddpm", ddpm, SamplerNoise::kAncestral},
        {"lcm", lcm, SamplerNoise::kAncestral},
        {"ipndm", ipndm, SamplerNoise::kNone},
        {"ipndm_v", ipndm_v, SamplerNoise::kNone},
        {"deis", deis, SamplerNoise::kNone},
        {"res_multistep", res_multistep, SamplerNoise::kNone},
        {"res_multistep_cfg_pp", res_multistep_cfg_pp, SamplerNoise::kNone, true},
        {"res_multistep_ancestral", res_multistep_ancestral, SamplerNoise::kAncestral},
        {"res_multistep_ancestral_cfg_pp", res_multistep_ancestral_cfg_pp, SamplerNoise::kAncestral, true},
        {"gradient_estimation", gradient_estimation, SamplerNoise::kNone},
        {"gradient_estimation_cfg_pp", gradient_estimation_cfg_pp, SamplerNoise::kNone, true},
        {"er_sde", er_sde, SamplerNoise::kAncestral},
        {"seeds_2", seeds_2, SamplerNoise::kAncestral},
        {"seeds_3", seeds_3, SamplerNoise::kAncestral},
        {"sa_solver", sa_solver, SamplerNoise::kAncestral},
        {"sa_solver_pece", sa_solver_pece, SamplerNoise::kAncestral},
        {"ddim", euler, SamplerNoise::kNone},
        {"uni_pc", uni_pc, SamplerNoise::kNone},
        {"uni_pc_bh2", uni_pc_bh2, SamplerNoise::kNone},
    };
    return table;
}

const SamplerInfo* find_sampler(const std::string& name) {
    for (const auto& s : implemented_samplers())
        if (name == s.name) return &s;
    return nullptr;
}

std::string implemented_sampler_list() {
    std::string list;
    for (const auto& s : implemented_samplers()) {
        if (!list.empty()) list += ", ";
        list += s.name;
    }
    return list;
}

}  // namespace sdn
