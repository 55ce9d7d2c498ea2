// The AVX-512 kernel table. Runs only when ctx.cpu_variant() is AVX512 (checked when the
// context is created).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load intrinsics as maybe-uninitialized (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "cpu/avx512_tile_rows.h"
#include "cpu/gemm_bf16.h"
#include "cpu/kernel_table.h"

namespace sdn::cpu::avx512 {

#include "cpu/vector_kernels_impl.h"

namespace {

constexpr int kMr = 8;
constexpr int kNr = 32;

// Register tile: MR rows x 32 columns in 2*MR zmm accumulators (16 of 32 registers at MR=8);
// per k two panel loads and MR broadcasts feed 2*MR FMAs.
template <int MR>
void gemm_tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int nr,
               bool accumulate) {
    __m512 acc0[MR], acc1[MR];
    for (int i = 0; i < MR; ++i) {
        acc0[i] = _mm512_setzero_ps();
        acc1[i] = _mm512_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
        __m512 b0 = _mm512_load_ps(b + k * kNr);
        __m512 b1 = _mm512_load_ps(b + k * kNr + 16);
        for (int i = 0; i < MR; ++i) {
            __m512 av = _mm512_set1_ps(a[k * kMr + i]);
            acc0[i] = _mm512_fmadd_ps(av, b0, acc0[i]);
            acc1[i] = _mm512_fmadd_ps(av, b1, acc1[i]);
        }
    }
    for (int i = 0; i < MR; ++i) avx512_tile::store_row(c + i * ldc, acc0[i], acc1[i], nr, accumulate);
}

void gemm_micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr, int nr,
                bool accumulate) {
    switch (mr) {
        case 8: gemm_tile<8>(kc, a, b, c, ldc, nr, accumulate); break;
        case 7: gemm_tile<7>(kc, a, b, c, ldc, nr, accumulate); break;
        case 6: gemm_tile<6>(kc, a, b, c, ldc, nr, accumulate); break;
        case 5: gemm_tile<5>(kc, a, b, c, ldc, nr, accumulate); break;
        case 4: gemm_tile<4>(kc, a, b, c, ldc, nr, accumulate); break;
        case 3: gemm_tile<3>(kc, a, b, c, ldc, nr, accumulate); break;
        case 2: gemm_tile<2>(kc, a, b, c, ldc, nr, accumulate); break;
        default: gemm_tile<1>(kc, a, b, c, ldc, nr, accumulate); break;
    }
}

// Each output row of the panel (one k) is gathered from the source rows: one 8-lane gather for
// A panels (width 8), two 16-lane gathers for B panels (width 32); other widths use loops.
void pack_transposed(const float* src, int64_t ld, int rows, int64_t kc, int width, float* dst) {
    if ((width != 8 && width != 32) || ld * width > (int64_t(1) << 30)) {
        vk_pack_transposed_plain(src, ld, rows, kc, width, dst);
        return;
    }
    alignas(64) int32_t idx[32];
    for (int r = 0; r < 32; ++r) idx[r] = r < rows ? static_cast<int32_t>(r * ld) : 0;
    const uint32_t live = rows >= 32 ? 0xffffffffu : ((1u << rows) - 1);
    if (width == 8) {
        const __m256i i0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx));
        const __mmask8 m0 = static_cast<__mmask8>(live & 0xff);
        for (int64_t k = 0; k < kc; ++k)
            _mm256_storeu_ps(dst + k * 8, _mm256_mmask_i32gather_ps(_mm256_setzero_ps(), m0, i0, src + k, 4));
        return;
    }
    const __m512i i0 = _mm512_load_si512(idx), i1 = _mm512_load_si512(idx + 16);
    const __mmask16 m0 = static_cast<__mmask16>(live & 0xffff), m1 = static_cast<__mmask16>(live >> 16);
    for (int64_t k = 0; k < kc; ++k) {
        _mm512_storeu_ps(dst + k * 32, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m0, i0, src + k, 4));
        _mm512_storeu_ps(dst + k * 32 + 16, _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m1, i1, src + k, 4));
    }
}

KernelTable make_table() {
    KernelTable t{};
    t.name = "avx512";
    t.variant = SDN_CPU_VARIANT_AVX512;
    t.gemm_mr = kMr;
    t.gemm_nr = kNr;
    t.gemm = gemm_micro;
    t.pack_transposed = pack_transposed;
    vk_fill_table(t);
    return t;
}

}  // namespace
}  // namespace sdn::cpu::avx512

namespace sdn::cpu {
const KernelTable& avx512_kernels() {
    static const KernelTable table = avx512::make_table();
    return table;
}
// The bf16 tables: the same vector kernels, with the GEMM driver and attention multiplying
// bfloat16 operands through `blocks`.
static KernelTable bf16_table(const char* name, sdn_cpu_variant variant, const Bf16BlockKernel& blocks) {
    KernelTable t = avx512::make_table();
    t.name = name;
    t.variant = variant;
    t.matrix_bf16 = &blocks;
    return t;
}
const KernelTable& avx512_amx_kernels() {
    static const KernelTable table = bf16_table("avx512-amx", SDN_CPU_VARIANT_AVX512_AMX, amx_bf16_blocks());
    return table;
}
const KernelTable& avx512_bf16_kernels() {
    static const KernelTable table =
        bf16_table("avx512-bf16", SDN_CPU_VARIANT_AVX512_BF16, dot_bf16_blocks());
    return table;
}
}  // namespace sdn::cpu
