#include "peak_flops.h"

#include <immintrin.h>

#include "core/cpu_features.h"

namespace sdn::bench {

namespace {

// 16 independent accumulators: more than FMA latency x ports (4 x 2), so the loop runs at
// throughput, and the compiler cannot merge them (each is a separate dependency chain).
constexpr int kChains = 16;
constexpr int kUnroll = 4;

float loop_avx512(int64_t iterations) {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
    const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
    for (int64_t it = 0; it < iterations; ++it)
        for (int u = 0; u < kUnroll; ++u)
            for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
    __m512 s = acc[0];
    for (int i = 1; i < kChains; ++i) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

float loop_avx2(int64_t iterations) {
    __m256 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm256_set1_ps(0.001f * i);
    const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
    for (int64_t it = 0; it < iterations; ++it)
        for (int u = 0; u < kUnroll; ++u)
            for (int i = 0; i < kChains; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
    alignas(32) float out[8];
    __m256 s = acc[0];
    for (int i = 1; i < kChains; ++i) s = _mm256_add_ps(s, acc[i]);
    _mm256_store_ps(out, s);
    return out[0] + out[7];
}

bool use_avx512() { return cpu_variant_supported(SDN_CPU_VARIANT_AVX512); }

// The same chains with VDPBF16PS: each lane adds two bf16 products per instruction (4 flops).
float loop_bf16(int64_t iterations) {
    __m512 acc[kChains];
    for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
    const __m512bh a = reinterpret_cast<__m512bh>(_mm512_set1_epi16(0x3f80));  // bf16 1.0
    const __m512bh b = reinterpret_cast<__m512bh>(_mm512_set1_epi16(0x3380));  // bf16 2^-24
    for (int64_t it = 0; it < iterations; ++it)
        for (int u = 0; u < kUnroll; ++u)
            for (int i = 0; i < kChains; ++i) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
    __m512 s = acc[0];
    for (int i = 1; i < kChains; ++i) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

}  // namespace

int64_t peak_loop_flops(int64_t iterations) {
    const int lanes = use_avx512() ? 16 : 8;
    return iterations * kUnroll * kChains * lanes * 2;
}

float run_peak_loop(int64_t iterations) {
    return use_avx512() ? loop_avx512(iterations) : loop_avx2(iterations);
}

bool have_bf16_peak_loop() { return cpu_variant_supported(SDN_CPU_VARIANT_AVX512_BF16); }

int64_t bf16_peak_loop_flops(int64_t iterations) { return iterations * kUnroll * kChains * 16 * 4; }

float run_bf16_peak_loop(int64_t iterations) { return loop_bf16(iterations); }

}  // namespace sdn::bench
