// Internal (quant/ only): fitting a 256-value K-quant super-block to its data. The results
// hold integers ready for packing into GGUF's q2_K..q6_K layouts (see block_layouts.h).
// n_sub * sub_len is 256, with at most 16 sub-blocks of at most 32 values.
#pragma once

#include <cstdint>

namespace sdn::quant {

// value ~= d * scale[s] * q - dmin * min[s], q in 0..nq, scale and min in 0..ns
// (q2_K: 16 x 16 values, nq 3, ns 15; q4_K / q5_K: 8 x 32 values, nq 15 / 31, ns 63).
struct AsymmetricFit {
    uint16_t d_bits = 0, dmin_bits = 0;
    uint8_t scale[16] = {}, min[16] = {};
    uint8_t q[256] = {};
};
AsymmetricFit fit_asymmetric(const float* x, int n_sub, int sub_len, int nq, int ns);

// value ~= d * scale[s] * q, q in -qh..qh-1, scale in -sh..sh-1
// (q3_K: 16 x 16 values, qh 4, sh 32; q6_K: 16 x 16 values, qh 32, sh 128).
struct SymmetricFit {
    uint16_t d_bits = 0;
    int scale[16] = {};
    int q[256] = {};
};
SymmetricFit fit_symmetric(const float* x, int n_sub, int sub_len, int qh, int sh);

}  // namespace sdn::quant
