#include "ksampler.h"

#include <algorithm>
#include <cmath>
#include <memory>

#include "ancestral_noise.h"
#include "brownian_tree_noise.h"
#include "core/error.h"
#include "latent_preview.h"
#include "mask_resize.h"
#include "samplers/sampler.h"
#include "schedulers.h"
#include "sigma_selection.h"
#include "torch_rng.h"

namespace sdn {

namespace {

std::string scheduler_list() {
    std::string s;
    for (const auto& n : scheduler_names()) s += (s.empty() ? "" : ", ") + n;
    return s;
}

// The noise mask at latent size, repeated over channels and to the batch: [B, C, h, w].
Tensor expand_noise_mask(const Tensor& mask, const std::vector<int64_t>& shape) {
    const int64_t B = shape[0], C = shape[1], h = shape[2], w = shape[3];
    Tensor planes = mask_to_latent_size(mask, h, w);
    const int64_t n = planes.dim(0);
    Tensor out({B, C, h, w});
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            std::copy(planes.data() + (b % n) * h * w, planes.data() + (b % n + 1) * h * w,
                      out.data() + (b * C + c) * h * w);
    return out;
}

bool any_nonzero(const Tensor& t) {
    return std::any_of(t.data(), t.data() + t.size(), [](float v) { return v != 0.0f; });
}

}  // namespace

void validate_ksampler_params(const KSamplerParams& p) {
    SDN_REQUIRE(find_sampler(p.sampler) != nullptr, SDN_ERR_INVALID_ARGUMENT,
                "unknown sampler '" + p.sampler + "'; supported: " + implemented_sampler_list());
    SDN_REQUIRE(is_known_scheduler(p.scheduler), SDN_ERR_INVALID_ARGUMENT,
                "unknown scheduler '" + p.scheduler + "'; supported: " + scheduler_list());
    SDN_REQUIRE(p.steps >= 1 && p.steps <= 10000, SDN_ERR_INVALID_ARGUMENT,
                "steps must be 1..10000, got " + std::to_string(p.steps));
    SDN_REQUIRE(p.start_step >= 0 && p.start_step <= 10000 && p.end_step >= 0 && p.end_step <= 10000,
                SDN_ERR_INVALID_ARGUMENT, "start_step and end_step must be 0..10000");
    SDN_REQUIRE(std::isfinite(p.cfg) && std::isfinite(p.denoise), SDN_ERR_INVALID_ARGUMENT,
                "cfg and denoise must be finite");
    SDN_REQUIRE(p.preview_every >= 0, SDN_ERR_INVALID_ARGUMENT, "preview_every must be >= 0");
}

std::vector<double> ksampler_sigmas(const KSamplerParams& p, bool& unchanged) {
    validate_ksampler_params(p);
    std::vector<double> sigmas =
        sigmas_for_denoise(p.sampler, p.scheduler, DiscreteSchedule::sd15(), p.steps, p.denoise);
    unchanged = !apply_step_range(sigmas, p.start_step, p.end_step, p.force_full_denoise);
    if (unchanged) sigmas.clear();
    return sigmas;
}

Tensor ksample(Context& ctx, DiffusionModel& model, const KSamplerParams& params,
               const std::vector<Conditioning>& positive, const std::vector<Conditioning>& negative,
               const LatentInput& latent) {
    SDN_REQUIRE(latent.samples != nullptr && latent.samples->n_dims() == 4, SDN_ERR_INVALID_ARGUMENT,
                "latent samples must be [B, C, h, w]");
    const Tensor& samples = *latent.samples;
    SDN_REQUIRE(samples.dim(1) == model.latent_channels(), SDN_ERR_INVALID_ARGUMENT,
                "latent has " + std::to_string(samples.dim(1)) + " channels, the model expects " +
                    std::to_string(model.latent_channels()));
    SDN_REQUIRE(!positive.empty(), SDN_ERR_INVALID_ARGUMENT, "at least one positive conditioning is required");
    bool unchanged = false;
    const std::vector<double> sigmas = ksampler_sigmas(params, unchanged);
    if (unchanged || sigmas.empty()) return samples;

    const std::vector<int64_t>& shape = samples.shape();
    const SamplerInfo& info = *find_sampler(params.sampler);
    const DiscreteSchedule& schedule = DiscreteSchedule::sd15();

    Tensor noise = params.add_noise ? prepare_noise(shape, params.seed, latent.batch_index) : Tensor(shape);

    // process_latent_in: x 0.18215, but an all-zero (empty) latent stays zero.
    Tensor latent_scaled(shape);
    const float scale = model.latent_scale();
    if (any_nonzero(samples))
        for (int64_t k = 0; k < samples.size(); ++k) latent_scaled.data()[k] = samples.data()[k] * scale;

    Tensor mask;
    if (latent.noise_mask) mask = expand_noise_mask(*latent.noise_mask, shape);
    // The unit noise used to re-noise the unmasked region; ddim draws its own (seed + 1).
    Tensor inpaint_noise;
    if (!mask.empty()) {
        if (params.sampler == "ddim") {
            inpaint_noise.reset(shape);
            TorchGenerator(params.seed + 1).randn(inpaint_noise.data(), inpaint_noise.size());
        } else {
            inpaint_noise = noise;
        }
    }

    // Initial noising: sqrt(1 + sigma0^2) when starting at (or above) sigma_max.
    const double s0 = sigmas[0], smax = schedule.sigma_max();
    const bool max_denoise = std::fabs(s0 - smax) <= 1e-5 * std::max(std::fabs(s0), std::fabs(smax)) || s0 > smax;
    const float noise_mult = static_cast<float>(max_denoise ? std::sqrt(1.0 + s0 * s0) : s0);
    Tensor x(shape);
    for (int64_t k = 0; k < x.size(); ++k)
        x.data()[k] = noise.data()[k] * noise_mult + latent_scaled.data()[k];

    CfgDenoiser guided(ctx, model, schedule, positive, negative, params.cfg, shape, info.needs_uncond);
    guided.set_prediction(params.prediction);
    Tensor blended;
    SamplerRun run;
    // uncond (CFG++ only) is the raw uncond prediction: ComfyUI captures it before the
    // noise-mask blend, which applies to the guided result alone.
    auto evaluate = [&](const Tensor& in, double sigma, Tensor& out, Tensor* uncond) {
        if (mask.empty()) {
            guided(in, sigma, out, uncond);
            return;
        }
        // KSamplerX0Inpaint: keep the known region at the latent noised to this sigma.
        blended.reset(in.shape());
        const float s = static_cast<float>(sigma);
        for (int64_t k = 0; k < in.size(); ++k) {
            const float m = mask.data()[k];
            blended.data()[k] = in.data()[k] * m + (latent_scaled.data()[k] + inpaint_noise.data()[k] * s) * (1.0f - m);
        }
        guided(blended, sigma, out, uncond);
        for (int64_t k = 0; k < out.size(); ++k) {
            const float m = mask.data()[k];
            out.data()[k] = out.data()[k] * m + latent_scaled.data()[k] * (1.0f - m);
        }
    };
    run.denoise = [&](const Tensor& in, double sigma, Tensor& out) { evaluate(in, sigma, out, nullptr); };
    run.denoise_with_uncond = [&](const Tensor& in, double sigma, Tensor& out, Tensor& uncond) {
        evaluate(in, sigma, out, &uncond);
    };

    std::unique_ptr<AncestralNoise> ancestral;
    std::unique_ptr<BrownianTreeNoise> brownian;
    if (info.noise == SamplerNoise::kAncestral) {
        ancestral = std::make_unique<AncestralNoise>(params.seed);
        run.noise = [&](double a, double b, Tensor& out) { (*ancestral)(a, b, out); };
    } else if (info.noise == SamplerNoise::kBrownian) {
        // The tree spans the schedule being sampled: its smallest non-zero and largest sigma.
        float lo = 0.0f, hi = 0.0f;
        for (double s : sigmas)
            if (s > 0.0) {
                const float f = static_cast<float>(s);
                lo = lo == 0.0f ? f : std::min(lo, f);
                hi = std::max(hi, f);
            }
        brownian = std::make_unique<BrownianTreeNoise>(params.seed, lo, hi, shape);
        run.noise = [&](double a, double b, Tensor& out) { (*brownian)(a, b, out); };
    }

    const int total = static_cast<int>(sigmas.size()) - 1;
    ctx.progress(SDN_STAGE_SAMPLING, 0, total);
    run.on_step = [&](int i, const Tensor&, const Tensor& denoised) {
        const int step = std::min(i + 1, total);
        if (params.preview_every > 0 && ctx.has_preview() && step % params.preview_every == 0) {
            const PreviewImage preview = make_preview(ctx, denoised, model.latent_format());
            ctx.preview(preview.width, preview.height, preview.rgb.data());
        }
        ctx.progress(SDN_STAGE_SAMPLING, step, total);
    };

    info.run(run, x, sigmas);

    // process_latent_out: back to raw VAE space.
    Tensor result(shape);
    for (int64_t k = 0; k < x.size(); ++k) result.data()[k] = x.data()[k] / scale;
    return result;
}

}  // namespace sdn
