// Times one UNet evaluation (batch 2, like a cfg step) on a checkpoint through the public C
// API, at a few latent sizes, on the context's default threads (or argv[2]). Used to find where
// end-to-end time goes without the CLI. Not a test: it prints seconds and exits.
//   sdn_unet_step_bench <checkpoint> [threads] [latent sizes...]
// SDN_BENCH_CPU picks the kernel variant by name (default: the best); SDN_CPU_PROFILE=1 adds
// the per-op profile of every evaluation together (printed at exit).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bench_context.h"
#include "sdnative.h"

using sdn_bench::ok;

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <checkpoint> [threads] [latent sizes...]\n", argv[0]);
        return 2;
    }
    sdn_context* ctx = sdn_bench::make_context(argc > 2 ? std::atoi(argv[2]) : 2);
    if (!ctx) return 1;
    sdn_model* model = nullptr;
    auto t0 = std::chrono::steady_clock::now();
    if (!ok(sdn_checkpoint_load(ctx, argv[1], nullptr, &model, nullptr, nullptr), ctx, "load")) return 1;
    auto t1 = std::chrono::steady_clock::now();
    std::printf("load %.3f s\n", std::chrono::duration<double>(t1 - t0).count());

    std::vector<int64_t> sizes;
    for (int i = 3; i < argc; ++i) sizes.push_back(std::atoll(argv[i]));
    if (sizes.empty()) sizes = {8, 32, 64};

    const int64_t ctx_dims[3] = {2, 77, 768};
    std::vector<float> cond(2 * 77 * 768);
    for (size_t i = 0; i < cond.size(); ++i) cond[i] = static_cast<float>((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    sdn_tensor* context = nullptr;
    sdn_tensor_create(3, ctx_dims, cond.data(), &context);
    const float timesteps[2] = {500.0f, 500.0f};
    for (int64_t s : sizes) {
        const int64_t dims[4] = {2, 4, s, s};
        std::vector<float> x(static_cast<size_t>(2 * 4 * s * s));
        for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 40503u) % 2000) / 1000.0f - 1.0f;
        sdn_tensor* xt = nullptr;
        sdn_tensor_create(4, dims, x.data(), &xt);
        for (int rep = 0; rep < 2; ++rep) {
            sdn_tensor* eps = nullptr;
            auto a = std::chrono::steady_clock::now();
            if (!ok(sdn_model_eval(ctx, model, xt, timesteps, context, &eps), ctx, "eval")) return 1;
            auto b = std::chrono::steady_clock::now();
            const float* e = sdn_tensor_data(eps);
            double sum = 0;
            for (int64_t i = 0; i < sdn_tensor_element_count(eps); ++i) sum += e[i];
            std::printf("latent %lldx%lld batch 2 run %d: %.3f s (checksum %.6g)\n", (long long)s,
                        (long long)s, rep, std::chrono::duration<double>(b - a).count(), sum);
            std::fflush(stdout);
            sdn_tensor_free(eps);
        }
        sdn_tensor_free(xt);
    }
    sdn_tensor_free(context);
    sdn_model_free(model);
    sdn_context_free(ctx);
    return 0;
}
