#include "cpu/kernel_table.h"

#include "core/cpu_features.h"

namespace sdn::cpu {

const KernelTable& kernels_for(sdn_cpu_variant variant) {
    if (variant == SDN_CPU_VARIANT_AUTO) variant = best_cpu_variant();
    switch (variant) {
        case SDN_CPU_VARIANT_AVX512_AMX: return avx512_amx_kernels();
        case SDN_CPU_VARIANT_AVX512_BF16: return avx512_bf16_kernels();
        case SDN_CPU_VARIANT_AVX512: return avx512_kernels();
        case SDN_CPU_VARIANT_AVX2: return avx2_kernels();
        default: return scalar_kernels();
    }
}

}  // namespace sdn::cpu
