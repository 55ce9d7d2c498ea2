// The model tests compare whole blocks against double-precision references with float32-sized
// tolerances, so they run on the fastest cpu variant whose matrix products are float32. The
// bfloat16 (AMX) variant is checked per kernel against references fed bfloat16-rounded
// operands (tests/native/cpu) and end to end by the oracle fidelity test.
#pragma once

#include "core/cpu_features.h"

namespace sdn_test {

inline sdn_cpu_variant float32_cpu_variant() {
    const sdn_cpu_variant best = sdn::best_cpu_variant();
    return best == SDN_CPU_VARIANT_AVX512_AMX ? SDN_CPU_VARIANT_AVX512 : best;
}

}  // namespace sdn_test
