// The bf16 block kernels (cpu/gemm_bf16.h) on their own: one 32x32 block of C from operands
// laid out by hand here, with small integers (exact in bfloat16 and in float32 sums), so the
// expected block is exact. Covers the driver's tile-by-tile A and attention's row-major A,
// depths that end inside a 32-deep chunk (odd too), edge blocks (C outside mr x nr untouched)
// and accumulation. The AMX kernel is skipped, saying why, where the CPU lacks it.
#include "cpu/gemm_bf16.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/cpu_features.h"

namespace {

using sdn::cpu::Bf16BlockKernel;
using sdn::cpu::Bf16Rows;

// bfloat16 of a small integer: the top half of its float32 bits (exact for |v| < 256).
uint16_t bf16_of(int v) {
    const float f = static_cast<float>(v);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return static_cast<uint16_t>(bits >> 16);
}

int value_a(int r, int k) { return (r * 7 + k * 3) % 9 - 4; }
int value_b(int k, int j) { return (k * 5 + j * 11) % 7 - 3; }

struct Operands {
    int64_t kc, kc_pad;
    // 64-byte aligned, as the kernels' scratch is (they load B rows aligned).
    sdn::AlignedBuffer<uint16_t> a_tiles, a_rows, b;
    Operands(int64_t kc_, int64_t lda)
        : kc(kc_),
          kc_pad((kc_ + 31) / 32 * 32),
          a_tiles(static_cast<size_t>(32 * kc_pad)),
          a_rows(static_cast<size_t>(32 * lda)),
          b(static_cast<size_t>(32 * kc_pad)) {
        std::memset(a_tiles.data(), 0, static_cast<size_t>(32 * kc_pad) * 2);
        std::memset(a_rows.data(), 0, static_cast<size_t>(32 * lda) * 2);
        std::memset(b.data(), 0, static_cast<size_t>(32 * kc_pad) * 2);
        for (int r = 0; r < 32; ++r)
            for (int k = 0; k < kc; ++k) {
                // Tile by tile: 16-row halves, each kc_pad / 32 tiles of 16 x 32.
                a_tiles[(r / 16) * 16 * kc_pad + (k / 32) * 512 + (r % 16) * 32 + k % 32] = bf16_of(value_a(r, k));
                a_rows[r * lda + k] = bf16_of(value_a(r, k));
            }
        for (int k = 0; k < kc; ++k)
            for (int j = 0; j < 32; ++j)  // two 16-column halves, pairs of k interleaved
                b[(j / 16) * kc_pad * 16 + (k / 2) * 32 + (j % 16) * 2 + k % 2] = bf16_of(value_b(k, j));
    }
};

void check_kernel(const Bf16BlockKernel& kernel) {
    const int64_t lda = 72;  // row-major A with a stride wider than the depth
    for (int64_t kc : {32, 40, 7, 64}) {
        const Operands ops(kc, lda);
        const Bf16Rows tiles{ops.a_tiles.data(), 32, 512, 16 * ops.kc_pad};
        const Bf16Rows rows{ops.a_rows.data(), lda, 32, 16 * lda};
        for (const Bf16Rows* a : {&tiles, &rows})
            for (int mr : {32, 9, 1})
                for (int nr : {32, 17, 16, 3})
                    for (bool accumulate : {false, true}) {
                        SCOPED_TRACE(testing::Message() << "kc " << kc << (a == &tiles ? " tiles" : " rows") << " mr "
                                                        << mr << " nr " << nr << " accumulate " << accumulate);
                        const int64_t ldc = 40;
                        std::vector<float> c(32 * ldc, 1000.0f);
                        kernel.begin();
                        kernel.block(kc, ops.kc_pad, *a, ops.b.data(), c.data(), ldc, mr, nr, accumulate);
                        kernel.end();
                        for (int i = 0; i < 32; ++i)
                            for (int j = 0; j < ldc; ++j) {
                                float want = 1000.0f;  // outside mr x nr: untouched
                                if (i < mr && j < nr) {
                                    int sum = 0;
                                    for (int k = 0; k < kc; ++k) sum += value_a(i, k) * value_b(k, j);
                                    want = static_cast<float>(sum) + (accumulate ? 1000.0f : 0.0f);
                                }
                                ASSERT_EQ(c[i * ldc + j], want) << "C[" << i << "][" << j << "]";
                            }
                    }
    }
}

TEST(GemmBf16Blocks, DotProductKernelMatchesHandComputedBlocks) {
    if (!sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX512_BF16))
        GTEST_SKIP() << "this CPU lacks AVX512-BF16";
    check_kernel(sdn::cpu::dot_bf16_blocks());
}

TEST(GemmBf16Blocks, AmxKernelMatchesHandComputedBlocks) {
    if (!sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX512_AMX))
        GTEST_SKIP() << "this CPU or OS lacks AMX-BF16";
    check_kernel(sdn::cpu::amx_bf16_blocks());
}

}  // namespace
