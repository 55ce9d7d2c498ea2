#include "context.h"

#include <cstdio>
#include <vector>

#include "backend.h"
#include "error.h"

namespace sdn {

Context::Context(int n_threads, sdn_cpu_variant variant, BackendFactory make_backend)
    : pool_(std::make_unique<ThreadPool>(n_threads)), variant_(variant) {
    if (make_backend) set_backend(make_backend(*this));
}

// The backend may hold work queued on the pool, so it goes first.
Context::~Context() { backend_.reset(); }

void Context::set_backend(std::unique_ptr<Backend> backend) {
    SDN_REQUIRE(!backend || backend->interface_version() == Backend::kInterfaceVersion,
                SDN_ERR_UNSUPPORTED,
                "backend " + backend->name() + " implements backend interface version " +
                    std::to_string(backend->interface_version()) + ", this engine needs " +
                    std::to_string(Backend::kInterfaceVersion));
    backend_ = std::move(backend);
}

Backend& Context::backend() {
    SDN_REQUIRE(backend_ != nullptr, SDN_ERR_INTERNAL, "no compute backend attached to the context");
    return *backend_;
}

void Context::log(sdn_log_level level, const char* format, ...) {
    if (!wants_log(level)) return;
    va_list args;
    va_start(args, format);
    va_list copy;
    va_copy(copy, args);
    int n = std::vsnprintf(nullptr, 0, format, copy);
    va_end(copy);
    std::vector<char> buf(n > 0 ? static_cast<size_t>(n) + 1 : 1, '\0');
    if (n > 0) std::vsnprintf(buf.data(), buf.size(), format, args);
    va_end(args);
    log_cb_(level, buf.data(), log_user_);
}

void Context::set_log_callback(sdn_log_callback cb, int min_level, void* user_data) {
    log_cb_ = cb;
    log_min_level_ = min_level;
    log_user_ = user_data;
}

void Context::set_progress_callback(sdn_progress_callback cb, void* user_data) {
    progress_cb_ = cb;
    progress_user_ = user_data;
}

void Context::set_preview_callback(sdn_preview_callback cb, void* user_data) {
    preview_cb_ = cb;
    preview_user_ = user_data;
}

void Context::set_unet_hook(sdn_unet_hook hook, void* user_data) {
    unet_hook_ = hook;
    unet_hook_user_ = user_data;
}

void Context::progress(sdn_stage stage, int step, int total) {
    if (progress_cb_) {
        sdn_progress_t p{};
        p.struct_size = sizeof(p);
        p.stage = stage;
        p.step = step;
        p.total = total;
        progress_cb_(&p, progress_user_);
    }
    check_cancelled();
}

void Context::preview(int width, int height, const uint8_t* rgb) {
    if (preview_cb_) preview_cb_(width, height, rgb, preview_user_);
}

void Context::unet_hook(bool entering) {
    if (unet_hook_) unet_hook_(entering ? 1 : 0, unet_hook_user_);
}

void Context::check_cancelled() const {
    if (cancel_requested()) fail(SDN_ERR_CANCELLED, "cancelled");
}

void Context::note_scratch_bytes(int64_t bytes) {
    int64_t prev = peak_scratch_.load();
    while (bytes > prev && !peak_scratch_.compare_exchange_weak(prev, bytes)) {
    }
}

}  // namespace sdn
