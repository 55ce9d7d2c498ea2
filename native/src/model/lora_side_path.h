// A LoRA's low-rank side path on a quantized UNet weight (sdn_lora_params_t.side_path):
// instead of an f16 patched copy (twice a q8_0 weight's memory), the weight stays as stored
// and the linear adds (x·downᵀ)·upᵀ at run time, with strength · alpha/rank folded
// into `up` and the ranks of stacked LoRAs concatenated. The patched lookup hands the two
// factors out under the weight's name plus these suffixes, which no checkpoint tensor has.
#pragma once

namespace sdn {

inline constexpr const char* kLoraSideDown = "#lora_side_down";  // [rank, in], f32
inline constexpr const char* kLoraSideUp = "#lora_side_up";      // [out, rank], f32

}  // namespace sdn
