// What the end-to-end benches (sdn_unet_step_bench, sdn_vae_bench) share: the status check
// that prints the context's error, and a context with the kernel variant SDN_BENCH_CPU names.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sdnative.h"

namespace sdn_bench {

inline bool ok(sdn_status s, sdn_context* ctx, const char* what) {
    if (s == SDN_OK) return true;
    std::fprintf(stderr, "%s failed: %s\n", what, ctx ? sdn_context_last_error(ctx) : "");
    return false;
}

// The variant SDN_BENCH_CPU names (the header's names), AUTO when unset or unknown.
inline int32_t variant_from_env() {
    const char* env = std::getenv("SDN_BENCH_CPU");
    const char* const names[] = {"auto", "scalar", "avx2", "avx512", "avx512-amx", "avx512-bf16"};
    for (int32_t v = 0; env && v < 6; ++v)
        if (std::strcmp(env, names[v]) == 0) return v;
    return SDN_CPU_VARIANT_AUTO;
}

// A context on `threads` threads (2 when not positive) with the SDN_BENCH_CPU variant; null
// (the error printed) when it cannot be made.
inline sdn_context* make_context(int threads) {
    sdn_context_options_t options;
    sdn_context_options_init(&options);
    options.n_threads = threads > 0 ? threads : 2;
    options.cpu_variant = variant_from_env();
    sdn_context* ctx = nullptr;
    return ok(sdn_context_create(&options, &ctx), nullptr, "context") ? ctx : nullptr;
}

}  // namespace sdn_bench
