// The engine-side state behind an sdn_context: threads, kernel variant, the backend that
// computes, callbacks, cancellation and the last error. One context runs one call at a time.
#pragma once

#include <atomic>
#include <cstdarg>
#include <cstdint>
#include <memory>
#include <string>

#include "preview_decoder.h"
#include "sdnative.h"
#include "thread_pool.h"

namespace sdn {

class Backend;
class Context;

// Makes the backend a new context computes with (cpu::make_cpu_backend, ...).
using BackendFactory = std::unique_ptr<Backend> (*)(Context& ctx);

class Context {
public:
    // make_backend, when given, attaches its backend at once (a context returned by value
    // cannot be given one afterwards by its creator's helper).
    Context(int n_threads, sdn_cpu_variant variant, BackendFactory make_backend = nullptr);
    ~Context();

    // The backend model code computes with. Whoever creates the context attaches one (api/
    // composes a backend implementation with the context); model code only sees Backend.
    // Throws Error(SDN_ERR_UNSUPPORTED) for a backend built against another interface version.
    void set_backend(std::unique_ptr<Backend> backend);
    // Throws Error(SDN_ERR_INTERNAL) when none was attached.
    Backend& backend();
    bool has_backend() const { return backend_ != nullptr; }

    ThreadPool& pool() { return *pool_; }
    int threads() const { return pool_->size(); }
    sdn_cpu_variant cpu_variant() const { return variant_; }

    // Logging: printf-style; cheap when no callback is set or the level is filtered.
    void log(sdn_log_level level, const char* format, ...) __attribute__((format(printf, 3, 4)));
    bool wants_log(sdn_log_level level) const { return log_cb_ && level >= log_min_level_; }
    void set_log_callback(sdn_log_callback cb, int min_level, void* user_data);

    void set_progress_callback(sdn_progress_callback cb, void* user_data);
    void set_preview_callback(sdn_preview_callback cb, void* user_data);
    void set_unet_hook(sdn_unet_hook hook, void* user_data);
    bool has_preview() const { return preview_cb_ != nullptr; }
    // The network previews come from (TAESD); null: the latent->RGB projection. Shared, so
    // the handle it came from may be freed while the context still previews with it.
    void set_preview_decoder(std::shared_ptr<const PreviewDecoder> decoder) {
        preview_decoder_ = std::move(decoder);
    }
    const PreviewDecoder* preview_decoder() const { return preview_decoder_.get(); }

    // Reports progress, then throws Error(SDN_ERR_CANCELLED) if a cancel was requested
    // (including one made from inside the progress callback).
    void progress(sdn_stage stage, int step, int total);
    void preview(int width, int height, const uint8_t* rgb);
    void unet_hook(bool entering);

    void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
    void reset_cancel() { cancelled_.store(false, std::memory_order_relaxed); }
    bool cancel_requested() const { return cancelled_.load(std::memory_order_relaxed); }
    // Throws Error(SDN_ERR_CANCELLED) when a cancel was requested.
    void check_cancelled() const;

    void set_last_error(const std::string& message) { last_error_ = message; }
    const std::string& last_error() const { return last_error_; }

    // Scratch accounting: forward passes report what they planned; the peak is kept.
    void note_scratch_bytes(int64_t bytes);
    int64_t peak_scratch_bytes() const { return peak_scratch_.load(); }

private:
    std::unique_ptr<ThreadPool> pool_;
    std::unique_ptr<Backend> backend_;
    sdn_cpu_variant variant_;
    sdn_log_callback log_cb_ = nullptr;
    void* log_user_ = nullptr;
    int log_min_level_ = SDN_LOG_INFO;
    sdn_progress_callback progress_cb_ = nullptr;
    void* progress_user_ = nullptr;
    sdn_preview_callback preview_cb_ = nullptr;
    void* preview_user_ = nullptr;
    std::shared_ptr<const PreviewDecoder> preview_decoder_;
    sdn_unet_hook unet_hook_ = nullptr;
    void* unet_hook_user_ = nullptr;
    std::atomic<bool> cancelled_{false};
    std::atomic<int64_t> peak_scratch_{0};
    std::string last_error_;
};

}  // namespace sdn
