// The AVX2 + FMA + F16C kernel table. Runs only when ctx.cpu_variant() is AVX2 (checked when
// the context is created).
#include <immintrin.h>

#include <cmath>
#include <cstdint>

#include "cpu/kernel_table.h"

namespace sdn::cpu::avx2 {

#include "cpu/vector_kernels_impl.h"

namespace {

constexpr int kMr = 6;
constexpr int kNr = 16;

// Register tile: MR rows x 16 columns in 2*MR ymm accumulators; per k one pair of panel loads
// and MR broadcasts.
template <int MR>
void gemm_tile(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int nr,
               bool accumulate) {
    __m256 acc0[MR], acc1[MR];
    for (int i = 0; i < MR; ++i) {
        acc0[i] = _mm256_setzero_ps();
        acc1[i] = _mm256_setzero_ps();
    }
    for (int64_t k = 0; k < kc; ++k) {
        __m256 b0 = _mm256_load_ps(b + k * kNr);
        __m256 b1 = _mm256_load_ps(b + k * kNr + 8);
        for (int i = 0; i < MR; ++i) {
            __m256 av = _mm256_broadcast_ss(a + k * kMr + i);
            acc0[i] = _mm256_fmadd_ps(av, b0, acc0[i]);
            acc1[i] = _mm256_fmadd_ps(av, b1, acc1[i]);
        }
    }
    for (int i = 0; i < MR; ++i) {
        float* ci = c + i * ldc;
        if (nr == kNr) {
            if (accumulate) {
                acc0[i] = _mm256_add_ps(acc0[i], _mm256_loadu_ps(ci));
                acc1[i] = _mm256_add_ps(acc1[i], _mm256_loadu_ps(ci + 8));
            }
            _mm256_storeu_ps(ci, acc0[i]);
            _mm256_storeu_ps(ci + 8, acc1[i]);
        } else {
            alignas(32) float tmp[kNr];
            _mm256_store_ps(tmp, acc0[i]);
            _mm256_store_ps(tmp + 8, acc1[i]);
            for (int j = 0; j < nr; ++j) ci[j] = accumulate ? ci[j] + tmp[j] : tmp[j];
        }
    }
}

void gemm_micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr, int nr,
                bool accumulate) {
    switch (mr) {
        case 6: gemm_tile<6>(kc, a, b, c, ldc, nr, accumulate); break;
        case 5: gemm_tile<5>(kc, a, b, c, ldc, nr, accumulate); break;
        case 4: gemm_tile<4>(kc, a, b, c, ldc, nr, accumulate); break;
        case 3: gemm_tile<3>(kc, a, b, c, ldc, nr, accumulate); break;
        case 2: gemm_tile<2>(kc, a, b, c, ldc, nr, accumulate); break;
        default: gemm_tile<1>(kc, a, b, c, ldc, nr, accumulate); break;
    }
}

// Each output row of the panel (one k) is gathered from the source rows in one or two
// 8-lane gathers; widths other than 8/16 fall back to plain loops.
void pack_transposed(const float* src, int64_t ld, int rows, int64_t kc, int width, float* dst) {
    if ((width != 8 && width != 16) || ld * width > (int64_t(1) << 30)) {
        vk_pack_transposed_plain(src, ld, rows, kc, width, dst);
        return;
    }
    alignas(32) int32_t idx[16];
    alignas(32) int32_t live[16];
    for (int r = 0; r < 16; ++r) {
        idx[r] = r < rows ? static_cast<int32_t>(r * ld) : 0;
        live[r] = r < rows ? -1 : 0;
    }
    const __m256i i0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx));
    const __m256i i1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(idx + 8));
    const __m256 m0 = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(live)));
    const __m256 m1 = _mm256_castsi256_ps(_mm256_load_si256(reinterpret_cast<const __m256i*>(live + 8)));
    for (int64_t k = 0; k < kc; ++k) {
        _mm256_storeu_ps(dst + k * width, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), src + k, i0, m0, 4));
        if (width == 16)
            _mm256_storeu_ps(dst + k * width + 8, _mm256_mask_i32gather_ps(_mm256_setzero_ps(), src + k, i1, m1, 4));
    }
}

KernelTable make_table() {
    KernelTable t{};
    t.name = "avx2";
    t.variant = SDN_CPU_VARIANT_AVX2;
    t.gemm_mr = kMr;
    t.gemm_nr = kNr;
    t.gemm = gemm_micro;
    t.pack_transposed = pack_transposed;
    vk_fill_table(t);
    return t;
}

}  // namespace
}  // namespace sdn::cpu::avx2

namespace sdn::cpu {
const KernelTable& avx2_kernels() {
    static const KernelTable table = avx2::make_table();
    return table;
}
}  // namespace sdn::cpu
