// Checkpoint loading and the model tools of the C API: sdn_checkpoint_load (UNet, CLIP and
// VAE handles from one file), sdn_model_eval (one UNet evaluation), sdn_make_test_model,
// sdn_convert and sdn_model_info.
#include <algorithm>
#include <cstring>
#include <memory>
#include <set>

#include "api/clip_handle.h"
#include "api/model_handle.h"
#include "api/vae_handle.h"
#include "guard.h"
#include "model/checkpoint.h"
#include "model/clip_tokenizer_locator.h"
#include "model/convert.h"
#include "model/checkpoint_recipes.h"
#include "model/convert_weight_encoding.h"
#include "model/model_info.h"
#include "model/tensor_names.h"
#include "model/test_model_writer.h"
#include "model/unet_model.h"

using namespace sdn;

namespace {

bool ends_with(const std::string& s, const char* suffix) {
    const size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

struct ClipDeleter {
    void operator()(sdn_clip* c) const { sdn_clip_free(c); }
};
struct VaeDeleter {
    void operator()(sdn_vae* v) const { sdn_vae_free(v); }
};

}  // namespace

extern "C" {

SDN_API void sdn_load_options_init(sdn_load_options_t* options) {
    if (!options) return;
    std::memset(options, 0, sizeof(*options));
    options->struct_size = sizeof(*options);
}

SDN_API sdn_status sdn_checkpoint_load(sdn_context* ctx, const char* path,
                                       const sdn_load_options_t* options, sdn_model** model_out,
                                       sdn_clip** clip_out, sdn_vae** vae_out) {
    if (model_out) *model_out = nullptr;
    if (clip_out) *clip_out = nullptr;
    if (vae_out) *vae_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(path);
        SDN_REQUIRE(model_out || clip_out || vae_out, SDN_ERR_INVALID_ARGUMENT,
                    "sdn_checkpoint_load: no component requested (all out pointers are NULL)");
        SDN_REQUIRE(!options || options->struct_size >= sizeof(uint32_t), SDN_ERR_INVALID_ARGUMENT,
                    "sdn_load_options_t.struct_size not set (call sdn_load_options_init)");
        Context& c = ctx->impl;
        const int total = 1 + (model_out != nullptr) + (clip_out != nullptr) + (vae_out != nullptr);
        int step = 0;
        c.progress(SDN_STAGE_LOAD, step, total);
        std::shared_ptr<Checkpoint> ck = Checkpoint::open(path);
        const ArchDetection& d = ck->detection();
        c.log(SDN_LOG_DEBUG, "%s: %s, %zu tensors, arch %d (%s)", path, ck->file().format_name(),
              ck->file().tensors().size(), static_cast<int>(d.arch), d.evidence.c_str());
        if (model_out || clip_out) require_supported(d, path);
        c.progress(SDN_STAGE_LOAD, ++step, total);

        std::set<std::string> used;
        std::unique_ptr<sdn_model> model;
        std::unique_ptr<sdn_clip, ClipDeleter> clip;
        std::unique_ptr<sdn_vae, VaeDeleter> vae;
        if (model_out) {
            SDN_REQUIRE(d.has_unet, SDN_ERR_NOT_FOUND,
                        std::string(path) + ": no UNet (model.diffusion_model.* or input_blocks.*)");
            const UnetHeads heads = unet_heads(d.arch);
            std::shared_ptr<UnetModel> unet =
                UnetModel::load(ck->lookup(), d.unet_prefix, ck, heads.num_heads, heads.head_dim);
            unet->set_architecture(d.arch, d.prediction);
            used.insert(unet->used_tensors().begin(), unet->used_tensors().end());
            model = std::make_unique<sdn_model>();
            model->model = unet;
            model->arch = d.arch;
            model->pages = WeightPages(ck, unet->used_tensors());
            model->recipe = unet_recipe(ck, d.unet_prefix, unet->used_tensors(), heads.num_heads,
                                        heads.head_dim, d.arch, d.prediction);
            c.progress(SDN_STAGE_LOAD, ++step, total);
        }
        if (clip_out) {
            SDN_REQUIRE(d.has_clip, SDN_ERR_NOT_FOUND,
                        std::string(path) +
                            ": no complete text encoder (cond_stage_model.transformer.text_model.*, "
                            "cond_stage_model.model.*, conditioner.embedders.{0,1}.*, "
                            "transformer.text_model.* or text_model.*)");
            std::shared_ptr<ClipTokenizer> tokenizer = locate_clip_tokenizer(
                &ck->file(), path, options ? options->tokenizer_path : nullptr,
                options ? options->models_dir : nullptr);
            std::set<std::string> clip_used;
            clip.reset(make_clip_handle(ck->recording_lookup(&clip_used), tokenizer, ck,
                                        d.clip_specs));
            clip->pages = WeightPages(ck, clip_used);
            clip->recipe = clip_recipe(ck, d.clip_specs, clip_used, tokenizer);
            used.insert(clip_used.begin(), clip_used.end());
            c.progress(SDN_STAGE_LOAD, ++step, total);
        }
        if (vae_out) {
            SDN_REQUIRE(d.has_vae, SDN_ERR_NOT_FOUND,
                        std::string(path) + ": no VAE (first_stage_model.* or encoder./decoder.*)");
            std::set<std::string> vae_used;
            vae.reset(make_vae_handle(ck->recording_lookup(&vae_used), d.vae_prefix, ck));
            vae->pages = WeightPages(ck, vae_used);
            used.insert(vae_used.begin(), vae_used.end());
            c.progress(SDN_STAGE_LOAD, ++step, total);
        }
        const auto unexpected =
            ck->unexpected_tensors(used, model_out != nullptr, clip_out != nullptr, vae_out != nullptr);
        warn_unexpected(c, path, unexpected);
        size_t ignored = 0;
        for (const TensorEntry& e : ck->file().tensors()) ignored += is_ignored_tensor(e.name);
        c.log(SDN_LOG_DEBUG, "%s: loaded; missing 0, unexpected %zu, ignored %zu", path,
              unexpected.size(), ignored);
        if (model_out) *model_out = model.release();
        if (clip_out) *clip_out = clip.release();
        if (vae_out) *vae_out = vae.release();
    });
}

SDN_API void sdn_model_free(sdn_model* model) { delete model; }

SDN_API int32_t sdn_model_arch(const sdn_model* model) {
    return model ? static_cast<int32_t>(model->arch) : SDN_ARCH_UNKNOWN;
}

SDN_API int32_t sdn_model_prediction(const sdn_model* model) {
    return model && model->model ? static_cast<int32_t>(model->model->prediction())
                                 : SDN_PREDICTION_DEFAULT;
}

SDN_API sdn_status sdn_model_eval(sdn_context* ctx, sdn_model* model, const sdn_tensor* x,
                                  const float* timesteps, const sdn_tensor* context,
                                  sdn_tensor** eps_out) {
    if (eps_out) *eps_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(model);
        SDN_REQUIRE_ARG(x);
        SDN_REQUIRE_ARG(timesteps);
        SDN_REQUIRE_ARG(context);
        SDN_REQUIRE_ARG(eps_out);
        SDN_REQUIRE(model->model != nullptr, SDN_ERR_INVALID_ARGUMENT, "model holds no network");
        SDN_REQUIRE(x->impl.n_dims() == 4, SDN_ERR_INVALID_ARGUMENT, "x must be [B, C, h, w]");
        std::vector<float> t(timesteps, timesteps + x->impl.dim(0));
        Tensor eps;
        model->model->predict_eps(ctx->impl, x->impl, t, context->impl, eps);
        *eps_out = new_tensor_handle(std::move(eps));
    });
}

SDN_API sdn_status sdn_make_test_model(sdn_context* ctx, const char* path,
                                       const char* weight_type, uint64_t seed) {
    return sdn_make_test_model_arch(ctx, path, weight_type, seed, SDN_ARCH_SD1);
}

SDN_API sdn_status sdn_make_test_model_arch(sdn_context* ctx, const char* path,
                                            const char* weight_type, uint64_t seed, int32_t arch) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(path);
        const std::string type_name = weight_type ? weight_type : "f16";
        const DType type = writable_weight_type_from_name(type_name);
        const std::string p = path;
        TestModelSpec spec;
        switch (arch) {
            case SDN_ARCH_SD1: break;
            case SDN_ARCH_SD2: spec = tiny_sd2_spec(); break;
            case SDN_ARCH_SDXL: spec = tiny_sdxl_spec(); break;
            case SDN_ARCH_SDXL_REFINER: spec = tiny_sdxl_refiner_spec(); break;
            default:
                fail(SDN_ERR_INVALID_ARGUMENT, "test model architecture must be an sdn_arch "
                                               "(1 sd1, 2 sd2, 3 sdxl, 4 sdxl refiner), got " +
                                                   std::to_string(arch));
        }
        const auto tensors = make_test_model_tensors(spec, seed);
        if (ends_with(p, ".gguf")) {
            write_gguf(p, tensors, type,
                       {gguf_string("general.architecture",
                                    std::string("sdnative-test-") + arch_name(static_cast<sdn_arch>(arch)))});
        } else {
            SDN_REQUIRE(ends_with(p, ".safetensors"), SDN_ERR_INVALID_ARGUMENT,
                        "test model path must end in .safetensors or .gguf");
            SDN_REQUIRE(!dtype_traits(type).quantized, SDN_ERR_INVALID_ARGUMENT,
                        "quantized test models need a .gguf path");
            write_safetensors(p, tensors, type);
        }
    });
}

SDN_API sdn_status sdn_convert_with_conv_layout(sdn_context* ctx, const char* in_path,
                                                const char* out_path, const char* weight_type,
                                                const char* tokenizer_path,
                                                const char* conv_layout) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(in_path);
        SDN_REQUIRE_ARG(out_path);
        const std::string type_name = weight_type ? weight_type : "f16";
        const DType type = writable_weight_type_from_name(type_name);
        const ConvLayout layout = conv_layout_from_name(conv_layout ? conv_layout : "f16");
        convert_checkpoint(ctx->impl, in_path, out_path, type,
                           tokenizer_path ? tokenizer_path : "", layout);
    });
}

SDN_API sdn_status sdn_convert(sdn_context* ctx, const char* in_path, const char* out_path,
                               const char* weight_type, const char* tokenizer_path) {
    return sdn_convert_with_conv_layout(ctx, in_path, out_path, weight_type, tokenizer_path, nullptr);
}

SDN_API sdn_status sdn_model_info(sdn_context* ctx, const char* path, char* buffer,
                                  int64_t capacity, int64_t* required) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(path);
        SDN_REQUIRE(capacity >= 0, SDN_ERR_INVALID_ARGUMENT, "capacity must be >= 0");
        SDN_REQUIRE(capacity == 0 || buffer, SDN_ERR_INVALID_ARGUMENT,
                    "buffer must not be NULL when capacity > 0");
        const std::string json = model_info_json(path);
        const int64_t need = static_cast<int64_t>(json.size()) + 1;
        if (required) *required = need;
        if (capacity > 0) {
            const int64_t n = std::min(capacity - 1, static_cast<int64_t>(json.size()));
            std::memcpy(buffer, json.data(), static_cast<size_t>(n));
            buffer[n] = '\0';
        }
    });
}

}  // extern "C"
