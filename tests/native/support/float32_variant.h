// The model tests compare whole blocks against double-precision references. They run on the
// fastest cpu variant whose matrix products are float32, with float32-sized tolerances, and
// again on the default variant: where that is a bfloat16 one (AMX, AVX512-BF16), with the bounds of
// bf16_error_bound.h. The AMX kernels are also checked per kernel against references fed
// bfloat16-rounded operands (tests/native/cpu) and against the float32 variant block by block
// (tests/native/model/bf16_accuracy_test.cpp).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "core/cpu_features.h"

namespace sdn_test {

inline sdn_cpu_variant float32_cpu_variant() {
    const sdn_cpu_variant best = sdn::best_cpu_variant();
    return best == SDN_CPU_VARIANT_AVX512_AMX || best == SDN_CPU_VARIANT_AVX512_BF16 ? SDN_CPU_VARIANT_AVX512
                                                                                    : best;
}

// Parameters of a model test suite: the float32 variant, then the default one.
inline auto float32_and_default_variants() {
    return ::testing::Values(float32_cpu_variant(), sdn::best_cpu_variant());
}

inline std::string variant_test_name(const ::testing::TestParamInfo<sdn_cpu_variant>& info) {
    return info.index == 0 ? "float32" : "default";
}

inline bool rounds_to_bf16(sdn_cpu_variant v) {
    return v == SDN_CPU_VARIANT_AVX512_AMX || v == SDN_CPU_VARIANT_AVX512_BF16;
}

}  // namespace sdn_test
