// sdn_sample / sdn_sample_sigmas / sdn_noise_generate and the sampling parameter structs.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "guard.h"
#include "model_handle.h"
#include "sample/ksampler.h"
#include "sample/samplers/sampler.h"
#include "sample/schedulers.h"
#include "sample/torch_rng.h"

using namespace sdn;

namespace {

// The double a UI meant by a float: the shortest decimal that round-trips the float, read as a
// double. ComfyUI computes int(steps / denoise) on Python doubles, and e.g. 3 / 0.6f would
// truncate to 4 where 3 / 0.6 gives 5.
double intended_double(float v) {
    char buf[32];
    for (int digits = 1; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
        if (std::strtof(buf, nullptr) == v) return std::strtod(buf, nullptr);
    }
    return v;
}

KSamplerParams to_params(const sdn_sample_params_t* p) {
    SDN_REQUIRE_ARG(p);
    SDN_REQUIRE(p->struct_size == sizeof(sdn_sample_params_t), SDN_ERR_INVALID_ARGUMENT,
                "sdn_sample_params_t.struct_size mismatch");
    SDN_REQUIRE(p->sampler != nullptr && p->scheduler != nullptr, SDN_ERR_INVALID_ARGUMENT,
                "sampler and scheduler names must not be NULL");
    KSamplerParams k;
    k.sampler = p->sampler;
    k.scheduler = p->scheduler;
    k.steps = p->steps;
    k.seed = p->seed;
    k.cfg = p->cfg;
    k.denoise = intended_double(p->denoise);
    k.add_noise = p->add_noise != 0;
    k.start_step = p->start_step;
    k.end_step = p->end_step;
    k.force_full_denoise = p->force_full_denoise != 0;
    k.preview_every = p->preview_every;
    SDN_REQUIRE(p->prediction >= SDN_PREDICTION_DEFAULT && p->prediction <= SDN_PREDICTION_V,
                SDN_ERR_INVALID_ARGUMENT,
                "prediction must be 0 (the model's), 1 (eps) or 2 (v_prediction), got " +
                    std::to_string(p->prediction));
    k.prediction = static_cast<sdn_prediction>(p->prediction);
    validate_ksampler_params(k);
    return k;
}

std::vector<Conditioning> to_conds(const sdn_cond_t* conds, int32_t count, const char* what) {
    SDN_REQUIRE(count >= 0 && count <= 4096, SDN_ERR_INVALID_ARGUMENT,
                std::string(what) + " count must be 0..4096");
    SDN_REQUIRE(count == 0 || conds != nullptr, SDN_ERR_INVALID_ARGUMENT,
                std::string(what) + " must not be NULL when its count is positive");
    std::vector<Conditioning> out;
    for (int32_t i = 0; i < count; ++i) {
        const sdn_cond_t& c = conds[i];
        SDN_REQUIRE(c.struct_size == sizeof(sdn_cond_t), SDN_ERR_INVALID_ARGUMENT,
                    "sdn_cond_t.struct_size mismatch (use sdn_cond_init)");
        SDN_REQUIRE(c.tokens != nullptr, SDN_ERR_INVALID_ARGUMENT,
                    std::string(what) + " conditioning has no tokens");
        Conditioning k;
        k.tokens = &c.tokens->impl;
        k.has_area = c.has_area != 0;
        k.area_h = c.area_h;
        k.area_w = c.area_w;
        k.area_y = c.area_y;
        k.area_x = c.area_x;
        k.mask = c.mask ? &c.mask->impl : nullptr;
        k.set_area_to_bounds = c.set_area_to_bounds != 0;
        k.strength = c.strength;
        k.start_percent = c.start_percent;
        k.end_percent = c.end_percent;
        k.pooled = c.pooled ? &c.pooled->impl : nullptr;
        SDN_REQUIRE(c.width >= 0 && c.height >= 0 && c.crop_w >= 0 && c.crop_h >= 0 &&
                        c.target_width >= 0 && c.target_height >= 0,
                    SDN_ERR_INVALID_ARGUMENT,
                    std::string(what) + " conditioning sizes must not be negative");
        k.has_size = c.has_size != 0;
        k.width = c.width, k.height = c.height, k.crop_w = c.crop_w, k.crop_h = c.crop_h;
        k.target_width = c.target_width, k.target_height = c.target_height;
        k.aesthetic_score = c.aesthetic_score;
        out.push_back(k);
    }
    return out;
}

}  // namespace

extern "C" {

SDN_API void sdn_cond_init(sdn_cond_t* cond) {
    if (!cond) return;
    *cond = sdn_cond_t{};
    cond->struct_size = sizeof(*cond);
    cond->strength = 1.0f;
    cond->start_percent = 0.0f;
    cond->end_percent = 1.0f;
    cond->aesthetic_score = -1.0f;
}

SDN_API void sdn_sample_params_init(sdn_sample_params_t* params) {
    if (!params) return;
    *params = sdn_sample_params_t{};
    params->struct_size = sizeof(*params);
    params->steps = 20;
    params->sampler = "euler";
    params->scheduler = "normal";
    params->seed = 0;
    params->cfg = 8.0f;
    params->denoise = 1.0f;
    params->add_noise = 1;
    params->start_step = 0;
    params->end_step = 10000;
    params->force_full_denoise = 1;
    params->preview_every = 0;
}

SDN_API void sdn_latent_init(sdn_latent_t* latent) {
    if (!latent) return;
    *latent = sdn_latent_t{};
    latent->struct_size = sizeof(*latent);
}

SDN_API sdn_status sdn_sample(sdn_context* ctx, sdn_model* model, const sdn_sample_params_t* params,
                              const sdn_cond_t* positive, int32_t positive_count,
                              const sdn_cond_t* negative, int32_t negative_count,
                              const sdn_latent_t* latent, sdn_tensor** samples_out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(samples_out);
        *samples_out = nullptr;
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE(model != nullptr && model->model != nullptr, SDN_ERR_INVALID_ARGUMENT,
                    "model must not be NULL");
        SDN_REQUIRE_ARG(latent);
        SDN_REQUIRE(latent->struct_size == sizeof(sdn_latent_t), SDN_ERR_INVALID_ARGUMENT,
                    "sdn_latent_t.struct_size mismatch (use sdn_latent_init)");
        SDN_REQUIRE(latent->samples != nullptr, SDN_ERR_INVALID_ARGUMENT, "latent->samples must not be NULL");
        const KSamplerParams p = to_params(params);
        const auto pos = to_conds(positive, positive_count, "positive");
        const auto neg = to_conds(negative, negative_count, "negative");

        LatentInput in;
        in.samples = &latent->samples->impl;
        in.noise_mask = latent->noise_mask ? &latent->noise_mask->impl : nullptr;
        SDN_REQUIRE(latent->batch_index_count >= 0 &&
                        (latent->batch_index_count == 0 || latent->batch_index != nullptr),
                    SDN_ERR_INVALID_ARGUMENT, "batch_index must not be NULL when batch_index_count > 0");
        if (latent->batch_index_count > 0) {
            SDN_REQUIRE(latent->samples->impl.n_dims() == 4 &&
                            latent->batch_index_count == latent->samples->impl.dim(0),
                        SDN_ERR_INVALID_ARGUMENT, "batch_index_count must equal the latent batch size");
            in.batch_index.assign(latent->batch_index, latent->batch_index + latent->batch_index_count);
        }
        const ReleasePagesAtExit release(model->pages);
        Tensor out = ksample(ctx->impl, *model->model, p, pos, neg, in);
        *samples_out = new_tensor_handle(std::move(out));
    });
}

SDN_API sdn_status sdn_sample_sigmas(sdn_context* ctx, const sdn_sample_params_t* params,
                                     sdn_tensor** sigmas_out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(sigmas_out);
        *sigmas_out = nullptr;
        const KSamplerParams p = to_params(params);
        bool unchanged = false;
        const std::vector<double> sigmas = ksampler_sigmas(p, unchanged);
        // Nothing to sample (denoise <= 0, or a start step past the end): no tensor.
        if (sigmas.empty()) return;
        Tensor t({static_cast<int64_t>(sigmas.size())});
        for (size_t i = 0; i < sigmas.size(); ++i) t.data()[i] = static_cast<float>(sigmas[i]);
        *sigmas_out = new_tensor_handle(std::move(t));
    });
}

SDN_API sdn_status sdn_noise_generate(sdn_context* ctx, uint64_t seed, const int64_t* dims4,
                                      const int64_t* batch_index, int32_t batch_index_count,
                                      sdn_tensor** noise_out) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(noise_out);
        *noise_out = nullptr;
        SDN_REQUIRE_ARG(dims4);
        std::vector<int64_t> shape(dims4, dims4 + 4);
        for (int64_t d : shape)
            SDN_REQUIRE(d > 0 && d <= (int64_t(1) << 20), SDN_ERR_INVALID_ARGUMENT,
                        "noise dimensions must be 1..2^20");
        std::vector<int64_t> index;
        if (batch_index_count > 0) {
            SDN_REQUIRE_ARG(batch_index);
            SDN_REQUIRE(batch_index_count == shape[0], SDN_ERR_INVALID_ARGUMENT,
                        "batch_index_count must equal dims4[0]");
            index.assign(batch_index, batch_index + batch_index_count);
        }
        *noise_out = new_tensor_handle(prepare_noise(shape, seed, index));
    });
}

SDN_API int32_t sdn_sampler_supported(const char* name) {
    return name && find_sampler(name) != nullptr ? 1 : 0;
}

SDN_API int32_t sdn_scheduler_supported(const char* name) {
    return name && is_known_scheduler(name) ? 1 : 0;
}

}  // extern "C"
