// sdn_context_* entry points.
#include "core/cpu_features.h"
#include "core/memory_trim.h"
#include "api/device_selection.h"
#include "core/backend.h"
#include "guard.h"

using namespace sdn;

extern "C" {

SDN_API void sdn_context_options_init(sdn_context_options_t* options) {
    if (!options) return;
    *options = sdn_context_options_t{};
    options->struct_size = sizeof(*options);
    options->n_threads = 0;
    options->cpu_variant = SDN_CPU_VARIANT_AUTO;
    options->backend = SDN_BACKEND_CPU;
}

SDN_API sdn_status sdn_context_create(const sdn_context_options_t* options, sdn_context** out) {
    return guarded(nullptr, [&] {
        SDN_REQUIRE_ARG(out);
        *out = nullptr;
        sdn_context_options_t opts;
        sdn_context_options_init(&opts);
        if (options) {
            SDN_REQUIRE(options->struct_size == sizeof(sdn_context_options_t),
                        SDN_ERR_INVALID_ARGUMENT, "sdn_context_options_t.struct_size mismatch");
            opts = *options;
        }
        SDN_REQUIRE(opts.n_threads >= 0 && opts.n_threads <= 1024, SDN_ERR_INVALID_ARGUMENT,
                    "n_threads must be between 0 and 1024");
        auto variant = static_cast<sdn_cpu_variant>(opts.cpu_variant);
        SDN_REQUIRE(variant >= SDN_CPU_VARIANT_AUTO && variant <= SDN_CPU_VARIANT_AVX512_BF16,
                    SDN_ERR_INVALID_ARGUMENT, "unknown cpu_variant");
        SDN_REQUIRE(cpu_variant_supported(variant), SDN_ERR_UNSUPPORTED,
                    std::string("this CPU does not support the ") + cpu_variant_name(variant) +
                        " kernels");
        SDN_REQUIRE(opts.memory_budget_bytes >= 0, SDN_ERR_INVALID_ARGUMENT,
                    "memory_budget_bytes must not be negative (0 means no cap), got " +
                        std::to_string(opts.memory_budget_bytes));
        if (variant == SDN_CPU_VARIANT_AUTO) variant = best_cpu_variant();
        int threads = opts.n_threads > 0 ? opts.n_threads : cpu_info().physical_cores;
        auto ctx = std::make_unique<sdn_context>(threads, variant, nullptr);
        api::attach_backend(ctx->impl, opts.backend, opts.device_index, opts.memory_budget_bytes);
        *out = ctx.release();
    });
}

SDN_API void sdn_context_free(sdn_context* ctx) {
    if (!ctx) return;
    delete ctx;
    release_free_heap_memory();
}

SDN_API const char* sdn_context_last_error(const sdn_context* ctx) {
    return ctx ? ctx->impl.last_error().c_str() : "context is NULL";
}

SDN_API int32_t sdn_context_thread_count(const sdn_context* ctx) {
    return ctx ? ctx->impl.threads() : 0;
}

SDN_API const char* sdn_context_device_name(const sdn_context* ctx) {
    if (!ctx) return "context is NULL";
    // Kept on the handle so the pointer stays valid while the context lives.
    auto* self = const_cast<sdn_context*>(ctx);
    if (self->device_name.empty()) self->device_name = self->impl.backend().name();
    return self->device_name.c_str();
}

SDN_API int32_t sdn_context_cpu_variant(const sdn_context* ctx) {
    return ctx ? ctx->impl.cpu_variant() : SDN_CPU_VARIANT_AUTO;
}

SDN_API int64_t sdn_context_peak_scratch_bytes(const sdn_context* ctx) {
    return ctx ? ctx->impl.peak_scratch_bytes() : 0;
}

SDN_API void sdn_context_set_log_callback(sdn_context* ctx, sdn_log_callback callback,
                                          int32_t min_level, void* user_data) {
    if (ctx) ctx->impl.set_log_callback(callback, min_level, user_data);
}

SDN_API void sdn_context_set_progress_callback(sdn_context* ctx, sdn_progress_callback callback,
                                               void* user_data) {
    if (ctx) ctx->impl.set_progress_callback(callback, user_data);
}

SDN_API void sdn_context_set_preview_callback(sdn_context* ctx, sdn_preview_callback callback,
                                              void* user_data) {
    if (ctx) ctx->impl.set_preview_callback(callback, user_data);
}

SDN_API void sdn_context_set_unet_hook(sdn_context* ctx, sdn_unet_hook hook, void* user_data) {
    if (ctx) ctx->impl.set_unet_hook(hook, user_data);
}

SDN_API void sdn_context_cancel(sdn_context* ctx) {
    if (ctx) ctx->impl.cancel();
}

SDN_API void sdn_context_reset_cancel(sdn_context* ctx) {
    if (ctx) ctx->impl.reset_cancel();
}

}  // extern "C"
