// Times VAE decode and encode of a checkpoint's VAE through the public C API, untiled, with
// the wall time and the process's CPU time (user + system) of each call: on a machine shared
// with other work the CPU time moves far less than the wall time. Not a test: it prints and
// exits.
//   sdn_vae_bench <checkpoint> [threads] [latent size] [runs] [decode|encode|both]
// Each run decodes a latent [1, 4, s, s] (s = 64 by default: a 512x512 image) and encodes an
// image of 8s x 8s (both by default). SDN_BENCH_CPU picks the kernel variant by name; SDN_CPU_PROFILE=1 adds the
// per-op profile of all runs together (printed at exit).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_context.h"
#include "sdnative.h"

using sdn_bench::ok;

namespace {

double process_cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

sdn_tensor* pattern_tensor(const std::vector<int64_t>& dims, float lo, float span) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    for (size_t i = 0; i < v.size(); ++i) v[i] = lo + span * static_cast<float>((i * 40503u) % 1000) / 1000.0f;
    sdn_tensor* t = nullptr;
    sdn_tensor_create(static_cast<int32_t>(dims.size()), dims.data(), v.data(), &t);
    return t;
}

double checksum(const sdn_tensor* t) {
    const float* p = sdn_tensor_data(t);
    double sum = 0.0;
    for (int64_t i = 0; i < sdn_tensor_element_count(t); ++i) sum += p[i];
    return sum;
}

// Runs one decode or encode and prints its wall and CPU seconds.
template <typename Call>
bool timed(const char* what, int64_t size, Call call) {
    const double cpu0 = process_cpu_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    sdn_tensor* out = call();
    const auto t1 = std::chrono::steady_clock::now();
    const double cpu1 = process_cpu_seconds();
    if (!out) return false;
    std::printf("%s %lldx%lld: wall %.3f s, cpu %.3f s (checksum %.9g)\n", what, (long long)size, (long long)size,
                std::chrono::duration<double>(t1 - t0).count(), cpu1 - cpu0, checksum(out));
    std::fflush(stdout);
    sdn_tensor_free(out);
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <checkpoint> [threads] [latent size] [runs] [decode|encode|both]\n", argv[0]);
        return 2;
    }
    const int64_t s = argc > 3 ? std::atoll(argv[3]) : 64;
    const int runs = argc > 4 ? std::atoi(argv[4]) : 1;
    const std::string what = argc > 5 ? argv[5] : "both";
    if (what != "decode" && what != "encode" && what != "both") {
        std::fprintf(stderr, "what to time must be decode, encode or both, not %s\n", what.c_str());
        return 2;
    }
    sdn_context* ctx = sdn_bench::make_context(argc > 2 ? std::atoi(argv[2]) : 2);
    if (!ctx) return 1;
    sdn_vae* vae = nullptr;
    if (!ok(sdn_checkpoint_load(ctx, argv[1], nullptr, nullptr, nullptr, &vae), ctx, "load")) return 1;

    sdn_tensor* latent = pattern_tensor({1, 4, s, s}, -1.0f, 2.0f);
    sdn_tensor* image = pattern_tensor({1, 8 * s, 8 * s, 3}, 0.0f, 1.0f);
    bool fine = true;
    for (int r = 0; r < runs && fine; ++r) {
        if (what != "encode") fine = timed("decode", 8 * s, [&] {
            sdn_tensor* out = nullptr;
            return ok(sdn_vae_decode(ctx, vae, latent, nullptr, &out), ctx, "decode") ? out : nullptr;
        });
        if (what != "decode") fine = fine && timed("encode", 8 * s, [&] {
            sdn_tensor* out = nullptr;
            return ok(sdn_vae_encode(ctx, vae, image, nullptr, &out), ctx, "encode") ? out : nullptr;
        });
    }
    sdn_tensor_free(image);
    sdn_tensor_free(latent);
    sdn_vae_free(vae);
    sdn_context_free(ctx);
    return fine ? 0 : 1;
}
