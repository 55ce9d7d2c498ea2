// This machine's float32 FMA peak, measured: the yardstick for the kernels' GFLOP/s.
#pragma once

#include <cstdint>

namespace sdn::bench {

// Floating-point operations done by `iterations` rounds of the register-only FMA loop on one
// thread, and the loop itself (widest vectors the CPU supports; 2 flops per lane per FMA).
int64_t peak_loop_flops(int64_t iterations);
float run_peak_loop(int64_t iterations);

}  // namespace sdn::bench
