#include "cpu/kernel_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "cpu/gemm_bf16.h"
#include "support/every_variant.h"

namespace {

class KernelTablePerVariant : public sdn_test::EveryVariant {};

TEST_P(KernelTablePerVariant, EachVariantGetsItsOwnTable) {
    const auto& table = sdn::cpu::kernels_for(variant());
    const char* const names[] = {"auto",   "scalar",     "avx2",
                                 "avx512", "avx512-amx", "avx512-bf16"};  // the header's order
    EXPECT_EQ(std::string(table.name), names[variant()]);
    // The AMX and AVX512-BF16 variants multiply in bfloat16 (GEMM and attention), each with its
    // own block kernel.
    const bool amx = variant() == SDN_CPU_VARIANT_AVX512_AMX,
               dot = variant() == SDN_CPU_VARIANT_AVX512_BF16;
    EXPECT_EQ(table.matrix_bf16 != nullptr, amx || dot);
    if (amx) EXPECT_EQ(table.matrix_bf16, &sdn::cpu::amx_bf16_blocks());
    if (dot) EXPECT_EQ(table.matrix_bf16, &sdn::cpu::dot_bf16_blocks());
}

TEST(KernelTable, AutoResolvesToTheBestVariantTheCpuSupports) {
    EXPECT_EQ(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AUTO).variant, sdn::best_cpu_variant());
}

// The float32 panel packing belongs to the scalar, AVX2 and AVX-512 tables.
constexpr sdn_cpu_variant kPackingVariants[] = {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512};
class PackTransposedPerVariant : public sdn_test::EveryVariant {};

TEST_P(PackTransposedPerVariant, ZeroPadsMissingRows) {
    // 3 rows of 5 into a panel of width 8 (and 32): dst[k * width + r] = src[r][k], rest 0.
    const float src[3][5] = {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, {11, 12, 13, 14, 15}};
    for (int width : {8, 16, 32}) {
        std::vector<float> dst(5 * width, -1.0f);
        sdn::cpu::kernels_for(variant()).pack_transposed(&src[0][0], 5, 3, 5, width, dst.data());
        for (int k = 0; k < 5; ++k)
            for (int r = 0; r < width; ++r)
                EXPECT_EQ(dst[k * width + r], r < 3 ? src[r][k] : 0.0f) << "width " << width;
    }
}

SDN_INSTANTIATE_FOR_VARIANTS(KernelTablePerVariant, ::sdn_test::kAllVariants);
SDN_INSTANTIATE_FOR_VARIANTS(PackTransposedPerVariant, kPackingVariants);

}  // namespace
