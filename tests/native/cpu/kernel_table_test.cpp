#include "cpu/kernel_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cpu_features.h"

namespace {

TEST(KernelTable, EachVariantGetsItsOwnTable) {
    EXPECT_EQ(std::string(sdn::cpu::kernels_for(SDN_CPU_VARIANT_SCALAR).name), "scalar");
    if (sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX2))
        EXPECT_EQ(std::string(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX2).name), "avx2");
    if (sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX512))
        EXPECT_EQ(std::string(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512).name), "avx512");
    if (sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX512_AMX)) {
        EXPECT_EQ(std::string(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512_AMX).name), "avx512-amx");
        EXPECT_TRUE(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512_AMX).matrix_bf16);
    }
    if (sdn::cpu_variant_supported(SDN_CPU_VARIANT_AVX512)) EXPECT_FALSE(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AVX512).matrix_bf16);
    // AUTO resolves to the best variant the CPU supports.
    EXPECT_EQ(sdn::cpu::kernels_for(SDN_CPU_VARIANT_AUTO).variant, sdn::best_cpu_variant());
}

TEST(KernelTable, PackTransposedZeroPadsMissingRows) {
    // 3 rows of 5 into a panel of width 8 (and 32): dst[k * width + r] = src[r][k], rest 0.
    const float src[3][5] = {{1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, {11, 12, 13, 14, 15}};
    for (sdn_cpu_variant v : {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512}) {
        if (!sdn::cpu_variant_supported(v)) continue;
        for (int width : {8, 16, 32}) {
            std::vector<float> dst(5 * width, -1.0f);
            sdn::cpu::kernels_for(v).pack_transposed(&src[0][0], 5, 3, 5, width, dst.data());
            for (int k = 0; k < 5; ++k)
                for (int r = 0; r < width; ++r)
                    EXPECT_EQ(dst[k * width + r], r < 3 ? src[r][k] : 0.0f) << "variant " << v << " width " << width;
        }
    }
}

}  // namespace
