// This machine's float32 FMA peak, measured: the yardstick for the kernels' GFLOP/s.
#pragma once

#include <cstdint>

namespace sdn::bench {

// Floating-point operations done by `iterations` rounds of the register-only FMA loop on one
// thread, and the loop itself (widest vectors the CPU supports; 2 flops per lane per FMA).
int64_t peak_loop_flops(int64_t iterations);
float run_peak_loop(int64_t iterations);

// The bfloat16 dot-product peak (VDPBF16PS, 4 flops per lane), where the CPU has AVX512-BF16:
// the yardstick for the bf16 variants' kernels.
bool have_bf16_peak_loop();
int64_t bf16_peak_loop_flops(int64_t iterations);
float run_bf16_peak_loop(int64_t iterations);

}  // namespace sdn::bench
