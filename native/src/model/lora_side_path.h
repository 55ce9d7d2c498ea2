// A LoRA's low-rank side path on a quantized UNet weight: instead of a patched copy (which
// would have to be f16, slower than the quantized kernels, see docs/lora.md), the weight stays
// as stored and the linear adds (x·downᵀ)·upᵀ at run time, with strength · alpha/rank folded
// into `up` and the ranks of stacked LoRAs concatenated. The patched lookup hands the two
// factors out under the weight's name plus these suffixes, which no checkpoint tensor has.
#pragma once

namespace sdn {

inline constexpr const char* kLoraSideDown = "#lora_side_down";  // [rank, in], f32
inline constexpr const char* kLoraSideUp = "#lora_side_up";      // [out, rank], f32

}  // namespace sdn
