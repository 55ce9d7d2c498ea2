// torch's float32 exp, log and sincos as its x86-64 AVX2/AVX512 CPU kernels compute them,
// reproduced operation by operation so that values that feed ComfyUI's noise come out with
// the same bits. None of them is always the correctly rounded result.
//
// exp is Sleef's 1-ulp expf (torch's vectorized Tensor.exp): a Cody-Waite reduction by ln 2,
// a degree-7 polynomial in fused multiply-adds, a scale by 2^q. dpmpp_sde's sub-step sigma
// goes through it.
//
// log and sincos are the Cephes single-precision algorithms as the avx_mathfun header writes
// them, which torch's AVX2 randn uses for its Box-Muller transform. The multiply-adds are
// fused exactly where the compiler fuses them in torch's build (a product whose only use is an
// addition), which the torchsde vectors confirm bit for bit.
//
// torch builds without AVX2 kernels (e.g. aarch64) use the C library's functions instead, and
// their values can differ in the last bit.
#pragma once

namespace sdn {

float torch_avx2_exp(float x);
// For x in (0, 1], the range randn's Box-Muller feeds it.
float torch_avx2_log(float x);
void torch_avx2_sincos(float x, float& sine, float& cosine);

}  // namespace sdn
