// The shape of one conv2d call as its B-operand gathers see it (cpu/conv2d.cpp, and the
// bf16 gather in cpu/conv_gather_bf16_avx512.cpp): input planes C x H x W per image, output
// Ho x Wo, a k x k kernel. The GEMM's K runs over (c, ky, kx), the weight's memory order; its
// N over the output pixels of every image of the batch.
#pragma once

#include <cstdint>

namespace sdn::ops {

struct ConvGeometry {
    int64_t C, H, W, Ho, Wo, k, stride, pad;
};

// Writes B columns [p0, p0 + cols) (cols <= 32), K rows [k0, k0 + kc) of the conv's implicit
// im2col matrix straight into the bf16 GEMM's packed panel layout (cpu/gemm_bf16.h: two halves
// of 16 columns, each [kc_pad / 2][16][2] with rows k and k + 1 pair-interleaved), rounded to
// bfloat16, zero past cols and from kc to kc_pad. Skips the float32 panel the generic gather
// writes and the bf16 packer reads back. Compiled for AVX-512 BF16: call only when the
// context's kernel table has matrix_bf16 set.
void gather_panel_bf16(const ConvGeometry& g, const float* x, int64_t p0, int64_t cols, int64_t k0,
                       int64_t kc, int64_t kc_pad, uint16_t* dst);

}  // namespace sdn::ops
