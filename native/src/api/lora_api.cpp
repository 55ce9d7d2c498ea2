// sdn_lora_apply: LoraLoader / LoraLoaderModelOnly. The networks are built again from their
// recipes over a lookup that sees the LoRA's patched copies first, so the input handles (and
// every other handle on the same checkpoint) keep computing with the unpatched weights.
#include <cmath>
#include <cstring>
#include <memory>

#include "api/clip_handle.h"
#include "api/guard.h"
#include "api/model_handle.h"
#include "model/lora_file.h"
#include "model/lora_keys.h"
#include "model/lora_patch.h"
#include "model/test_lora_writer.h"
#include "model/test_model_writer.h"

using namespace sdn;

namespace {

// Owns everything a patched network reads: the base's own keepalive and the patched copies.
struct PatchedKeepalive {
    std::shared_ptr<void> base;
    std::shared_ptr<PatchedWeights> patched;
};

// Builds a network again over its unpatched weights with a LoRA stack; false when the stack
// adapts none of its weights (then the network is the unpatched one).
template <class Network>
bool rebuild(Context& ctx, const NetworkRecipe<Network>& recipe, const LoraKeyMap& keys,
             bool side_paths, AppliedLoras& loras, std::shared_ptr<Network>& network,
             std::shared_ptr<void>& keepalive, LoraPatchReport& report) {
    std::shared_ptr<PatchedWeights> patched =
        patch_with_loras(ctx, loras.stack, keys, recipe.lookup, side_paths, report);
    loras.patched = patched;
    if (patched->refs.empty()) {
        network = recipe.build(recipe.lookup, recipe.keepalive);
        keepalive = recipe.keepalive;
        return false;
    }
    keepalive = std::make_shared<PatchedKeepalive>(PatchedKeepalive{recipe.keepalive, patched});
    network = recipe.build(overlay_lookup(patched.get(), recipe.lookup), keepalive);
    return true;
}

template <class Handle>
void require_recipe(const Handle& h, const char* what) {
    SDN_REQUIRE(h.recipe != nullptr, SDN_ERR_UNSUPPORTED,
                std::string("sdn_lora_apply: this ") + what +
                    " was loaded in a way a LoRA cannot be applied to (no recipe to rebuild it)");
}

}  // namespace

extern "C" {

SDN_API void sdn_lora_params_init(sdn_lora_params_t* params) {
    if (!params) return;
    std::memset(params, 0, sizeof(*params));
    params->struct_size = sizeof(*params);
    params->strength_model = 1.0f;
    params->strength_clip = 1.0f;
}

SDN_API void sdn_lora_report_init(sdn_lora_report_t* report) {
    if (!report) return;
    std::memset(report, 0, sizeof(*report));
    report->struct_size = sizeof(*report);
}

SDN_API sdn_status sdn_lora_apply(sdn_context* ctx, const char* path,
                                  const sdn_lora_params_t* params, const sdn_model* model,
                                  const sdn_clip* clip, sdn_model** model_out,
                                  sdn_clip** clip_out, sdn_lora_report_t* report) {
    if (model_out) *model_out = nullptr;
    if (clip_out) *clip_out = nullptr;
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(ctx);
        SDN_REQUIRE_ARG(path);
        SDN_REQUIRE(model || clip, SDN_ERR_INVALID_ARGUMENT,
                    "sdn_lora_apply: neither a model nor a clip given");
        SDN_REQUIRE(!model == !model_out && !clip == !clip_out, SDN_ERR_INVALID_ARGUMENT,
                    "sdn_lora_apply: model_out must be given exactly when model is, and "
                    "clip_out exactly when clip is");
        SDN_REQUIRE(!params || params->struct_size >= sizeof(uint32_t), SDN_ERR_INVALID_ARGUMENT,
                    "sdn_lora_params_t.struct_size not set (call sdn_lora_params_init)");
        SDN_REQUIRE(!report || report->struct_size >= sizeof(sdn_lora_report_t),
                    SDN_ERR_INVALID_ARGUMENT,
                    "sdn_lora_report_t.struct_size not set (call sdn_lora_report_init)");
        sdn_lora_params_t p;
        sdn_lora_params_init(&p);
        if (params) p = *params;
        const float s_model = model ? p.strength_model : 0.0f;
        const float s_clip = clip ? p.strength_clip : 0.0f;
        SDN_REQUIRE(std::isfinite(s_model) && std::isfinite(s_clip), SDN_ERR_INVALID_ARGUMENT,
                    "sdn_lora_apply: strengths must be finite");
        std::unique_ptr<sdn_model> new_model(model ? new sdn_model(*model) : nullptr);
        std::unique_ptr<sdn_clip> new_clip;
        if (clip) new_clip.reset(new sdn_clip(*clip));
        sdn_lora_report_t r;
        sdn_lora_report_init(&r);
        if (s_model != 0.0f || s_clip != 0.0f) {
            Context& c = ctx->impl;
            c.progress(SDN_STAGE_LOAD, 0, 1);
            auto file = std::make_shared<const LoraFile>(open_lora_file(path));
            const LoraFile& lora = *file;
            LoraPatchReport done;
            LoraKeyMap model_keys, clip_keys;
            if (model) {
                require_recipe(*model, "model");
                model_keys = unet_lora_keys(model->recipe->names);
            }
            if (clip) {
                require_recipe(*clip, "clip");
                clip_keys = clip_lora_keys(clip->recipe->names);
            }
            if (model && s_model != 0.0f) {
                new_model->loras.stack.push_back({file, s_model});
                std::shared_ptr<void> keepalive;  // the model holds it
                rebuild(c, *model->recipe, model_keys, p.side_path != 0, new_model->loras, new_model->model,
                        keepalive, done);
                r.model_weights = static_cast<int32_t>(new_model->loras.patched->adapted);
            }
            if (clip && s_clip != 0.0f) {
                new_clip->loras.stack.push_back({file, s_clip});
                rebuild(c, *clip->recipe, clip_keys, /*side_paths=*/false, new_clip->loras, new_clip->encoder,
                        new_clip->keepalive, done);
                r.clip_weights = static_cast<int32_t>(new_clip->loras.patched->adapted);
            }
            // As ComfyUI: a key is loaded when a network given maps it, whatever its strength.
            for (const LoraModule& m : lora.modules) {
                if (model_keys.count(m.stem) || clip_keys.count(m.stem)) continue;
                for (const std::string& n : m.names) {
                    c.log(SDN_LOG_WARN, "lora key not loaded: %s", n.c_str());
                    ++r.keys_not_loaded;
                }
            }
            for (const std::string& n : lora.unrecognized) {
                c.log(SDN_LOG_WARN, "lora key not loaded: %s", n.c_str());
                ++r.keys_not_loaded;
            }
            for (const std::string& why : done.skipped)
                c.log(SDN_LOG_WARN, "lora module skipped: %s", why.c_str());
            r.modules = static_cast<int32_t>(lora.modules.size());
            c.log(SDN_LOG_INFO, "%s: %d modules; %d model and %d clip weights patched; %d keys not loaded",
                  path, r.modules, r.model_weights, r.clip_weights, r.keys_not_loaded);
            c.progress(SDN_STAGE_LOAD, 1, 1);
        }
        if (report) *report = r;
        if (model_out) *model_out = new_model.release();
        if (clip_out) *clip_out = new_clip.release();
    });
}

}  // extern "C"

extern "C" {

SDN_API sdn_status sdn_make_test_lora(sdn_context* ctx, const char* path, uint64_t seed) {
    return sdn_make_test_lora_arch(ctx, path, seed, SDN_ARCH_SD1);
}

SDN_API sdn_status sdn_make_test_lora_arch(sdn_context* ctx, const char* path, uint64_t seed,
                                           int32_t arch) {
    return guarded(ctx, [&] {
        SDN_REQUIRE_ARG(path);
        SDN_REQUIRE(arch == SDN_ARCH_SD1 || arch == SDN_ARCH_SDXL, SDN_ERR_INVALID_ARGUMENT,
                    "test LoRAs are written for SD1 (1) and SDXL base (3), got architecture " +
                        std::to_string(arch));
        const std::string p = path;
        const TestModelSpec model = arch == SDN_ARCH_SDXL ? tiny_sdxl_spec() : TestModelSpec{};
        auto tensors = make_test_lora_tensors(model, TestLoraSpec{}, seed);
        if (p.ends_with(".gguf")) {
            // GGUF has no 0-dimensional tensors: alphas are stored as [1], as converters do.
            for (TestTensor& t : tensors)
                if (t.shape.empty()) t.shape = {1};
            write_gguf(p, tensors, DType::F16, {gguf_string("general.architecture", "sdnative-test-lora")});
        } else {
            SDN_REQUIRE(p.ends_with(".safetensors"), SDN_ERR_INVALID_ARGUMENT,
                        "test LoRA path must end in .safetensors or .gguf");
            write_safetensors(p, tensors, DType::F16);
        }
    });
}

}  // extern "C"
