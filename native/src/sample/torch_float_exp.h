// torch's float32 exp as its x86 AVX2/AVX512 CPU kernels compute it (Sleef's expf, 1-ulp
// variant: a Cody-Waite reduction by ln 2, a degree-7 polynomial in fused multiply-adds, and
// a scale by 2^q). It is not always the correctly rounded result: dpmpp_sde's sub-step sigma
// of the karras schedule in the torchsde vectors differs from std::exp by one ulp, and the
// Brownian tree turns that ulp into a different noise. torch builds without AVX2 kernels
// (e.g. aarch64) use the C library's expf instead.
#pragma once

namespace sdn {

float torch_exp_f32(float x);

}  // namespace sdn
