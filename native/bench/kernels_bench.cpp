// Kernel benchmarks: the machine's f32 FMA peak, then GFLOP/s of the SD hot spots (linear
// with each weight type, 3x3 conv, attention). scripts/bench-kernels runs this and reports
// each row's ratio to the measured peak.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "core/context.h"
#include "core/cpu_features.h"
#include "core/half.h"
#include "cpu/ops.h"
#include "peak_flops.h"

#if __has_include("quant/row_ops.h")
#include "quant/row_ops.h"
#define SDN_BENCH_QUANT 1
#endif

namespace {

// Physical cores by default (what the engine uses); SDN_BENCH_THREADS overrides, e.g. 1 to
// measure one core on a machine that is busy with other work.
int bench_threads() {
    const char* env = std::getenv("SDN_BENCH_THREADS");
    int n = env ? std::atoi(env) : 0;
    return n > 0 ? n : sdn::cpu_info().physical_cores;
}

// The best variant by default; SDN_BENCH_CPU names another ("avx512", "avx2", ...).
sdn_cpu_variant bench_variant() {
    const char* env = std::getenv("SDN_BENCH_CPU");
    if (!env || !*env) return sdn::best_cpu_variant();
    for (int v = SDN_CPU_VARIANT_SCALAR; v <= SDN_CPU_VARIANT_AVX512_BF16; ++v) {
        const auto variant = static_cast<sdn_cpu_variant>(v);
        if (std::strcmp(env, sdn::cpu_variant_name(variant)) != 0) continue;
        if (sdn::cpu_variant_supported(variant)) return variant;
        std::fprintf(stderr, "kernels: this CPU lacks the %s variant\n", env);
        std::exit(2);
    }
    std::fprintf(stderr, "kernels: unknown SDN_BENCH_CPU variant %s\n", env);
    std::exit(2);
}

sdn::Context& bench_context() {
    static sdn::Context ctx(bench_threads(), bench_variant());
    return ctx;
}

std::vector<float> random_floats(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(-scale, scale);
    std::vector<float> v(n);
    for (auto& x : v) x = dist(rng);
    return v;
}

// A weight in f16 or bf16 built from random values.
struct BenchWeight {
    std::vector<uint16_t> halves;
    sdn::WeightRef ref;
};

std::unique_ptr<BenchWeight> make_weight(sdn::DType type, std::vector<int64_t> shape) {
    auto w = std::make_unique<BenchWeight>();
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    auto values = random_floats(static_cast<size_t>(n), 7, 0.05f);
#ifdef SDN_BENCH_QUANT
    if (type != sdn::DType::F16 && type != sdn::DType::BF16) {
        const int64_t rows = shape.front(), K = n / rows, row_bytes = sdn::dtype_row_bytes(type, K);
        w->halves.resize(static_cast<size_t>((rows * row_bytes + 1) / 2));
        auto* bytes = reinterpret_cast<uint8_t*>(w->halves.data());
        for (int64_t r = 0; r < rows; ++r) sdn::quantize_row(type, values.data() + r * K, bytes + r * row_bytes, K);
        w->ref.type = type;
        w->ref.shape = std::move(shape);
        w->ref.data = w->halves.data();
        w->ref.nbytes = rows * row_bytes;
        return w;
    }
#endif
    w->halves.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        w->halves[i] = type == sdn::DType::F16 ? sdn::f32_to_f16(values[i]) : sdn::f32_to_bf16(values[i]);
    w->ref.type = type;
    w->ref.shape = std::move(shape);
    w->ref.data = w->halves.data();
    w->ref.nbytes = n * 2;
    return w;
}

void set_flops(benchmark::State& state, double flops_per_iteration) {
    state.counters["GFLOPS"] =
        benchmark::Counter(flops_per_iteration * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void bench_peak(benchmark::State& state) {
    sdn::Context& ctx = bench_context();
    const int64_t iterations = 1 << 16;
    volatile float sink = 0.0f;
    for (auto _ : state) {
        ctx.pool().parallel_for(ctx.threads(), [&](int64_t, int) { sink = sink + sdn::bench::run_peak_loop(iterations); });
    }
    set_flops(state, double(sdn::bench::peak_loop_flops(iterations)) * ctx.threads());
}

void bench_peak_bf16(benchmark::State& state) {
    sdn::Context& ctx = bench_context();
    const int64_t iterations = 1 << 16;
    volatile float sink = 0.0f;
    for (auto _ : state) {
        ctx.pool().parallel_for(ctx.threads(), [&](int64_t, int) {
            sink = sink + sdn::bench::run_bf16_peak_loop(iterations);
        });
    }
    set_flops(state, double(sdn::bench::bf16_peak_loop_flops(iterations)) * ctx.threads());
}

void bench_linear(benchmark::State& state, sdn::DType type, int64_t M, int64_t K, int64_t N) {
    sdn::Context& ctx = bench_context();
    auto w = make_weight(type, {N, K});
    auto x = random_floats(static_cast<size_t>(M * K), 1);
    std::vector<float> y(static_cast<size_t>(M * N));
    for (auto _ : state) {
        sdn::ops::linear(ctx, x.data(), M, K, w->ref, nullptr, y.data());
        benchmark::DoNotOptimize(y.data());
    }
    set_flops(state, 2.0 * M * K * N);
}

void bench_conv3x3(benchmark::State& state, sdn::DType type, int64_t C, int64_t HW) {
    sdn::Context& ctx = bench_context();
    auto w = make_weight(type, {C, C, 3, 3});
    auto x = random_floats(static_cast<size_t>(C * HW * HW), 2);
    std::vector<float> y(x.size());
    for (auto _ : state) {
        sdn::ops::conv2d(ctx, x.data(), 1, C, HW, HW, w->ref, nullptr, 1, 1, y.data());
        benchmark::DoNotOptimize(y.data());
    }
    set_flops(state, 2.0 * C * C * 9 * HW * HW);
}

void bench_attention(benchmark::State& state, int64_t tokens, int64_t head_dim) {
    sdn::Context& ctx = bench_context();
    const int64_t heads = 8, width = heads * head_dim;
    auto q = random_floats(static_cast<size_t>(tokens * width), 3);
    auto k = random_floats(static_cast<size_t>(tokens * width), 4);
    auto v = random_floats(static_cast<size_t>(tokens * width), 5);
    std::vector<float> out(q.size());
    sdn::ops::AttentionArgs a{q.data(), k.data(), v.data(), out.data(), 1, tokens, tokens, heads, head_dim,
                              width, width, width, width, 1.0f / std::sqrt(float(head_dim))};
    for (auto _ : state) {
        sdn::ops::attention(ctx, a);
        benchmark::DoNotOptimize(out.data());
    }
    set_flops(state, 4.0 * tokens * tokens * head_dim * heads);  // Q K^T and P V
}

void register_all() {
    benchmark::RegisterBenchmark("peak_f32_fma", bench_peak)->UseRealTime();
    if (sdn::bench::have_bf16_peak_loop())
        benchmark::RegisterBenchmark("peak_bf16_dot", bench_peak_bf16)->UseRealTime();
    const int64_t shapes[][3] = {{4096, 320, 320}, {4096, 320, 1280}, {4096, 1280, 320},
                                 {1024, 640, 640}, {256, 1280, 1280}, {64, 1280, 1280},
                                 {512, 1280, 10240}};  // last: the GEGLU projection at 512²
    std::vector<std::pair<sdn::DType, std::string>> types = {{sdn::DType::F16, "f16"}, {sdn::DType::BF16, "bf16"}};
#ifdef SDN_BENCH_QUANT
    types.insert(types.end(), {{sdn::DType::Q8_0, "q8_0"}, {sdn::DType::Q4_0, "q4_0"}, {sdn::DType::Q4_K, "q4_K"}});
#endif
    for (const auto& [type, type_name] : types) {
        for (const auto& s : shapes) {
            // A q4_K row is whole 256-element super-blocks: K = 320 or 640 cannot be stored.
            if (type == sdn::DType::Q4_K && s[1] % 256 != 0) continue;
            std::string name = "linear_" + type_name + "_" + std::to_string(s[0]) + "x" + std::to_string(s[1]) +
                               "x" + std::to_string(s[2]);
            benchmark::RegisterBenchmark(name.c_str(), bench_linear, type, s[0], s[1], s[2])->UseRealTime();
        }
    }
    // The conv weights in the f16 type and the two block types the integer products take.
    for (const auto& [type, type_name] : types) {
        if (type == sdn::DType::BF16 || type == sdn::DType::Q4_K) continue;
        for (const auto& [C, HW] : {std::pair<int64_t, int64_t>{320, 64}, {1280, 16}}) {
            std::string name = "conv3x3_" + type_name + "_" + std::to_string(C) + "_" + std::to_string(HW) + "x" +
                               std::to_string(HW);
            benchmark::RegisterBenchmark(name.c_str(), bench_conv3x3, type, C, HW)->UseRealTime();
        }
    }
    for (int64_t tokens : {4096, 1024})
        for (int64_t d : {40, 80, 160}) {
            std::string name = "attention_" + std::to_string(tokens) + "_d" + std::to_string(d);
            benchmark::RegisterBenchmark(name.c_str(), bench_attention, tokens, d)->UseRealTime();
        }
}

}  // namespace

int main(int argc, char** argv) {
    register_all();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    std::fprintf(stderr, "kernels: %s variant, %d threads\n",
                 sdn::cpu_variant_name(bench_context().cpu_variant()), bench_context().threads());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
