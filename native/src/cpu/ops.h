// The CPU kernels the SD models are built from. Activations are dense float32, NCHW for
// images ([B, C, H, W]) and row-major [rows, dim] for token sequences. Weights are WeightRef
// views in any stored type (f32, f16, bf16, GGUF block quants); kernels never expand a whole
// weight tensor to f32. Every kernel runs on ctx's thread pool with ctx's cpu variant and has
// a plain reference implementation in cpu/reference/ that tests compare against.
#pragma once

#include <cstdint>

#include "core/context.h"
#include "quant/dtype.h"

namespace sdn::ops {

// y[M, N] = x[M, K] * W^T + bias, W stored [N, K] (PyTorch Linear). bias may be null.
// accumulate: y += result instead of y = result.
void linear(Context& ctx, const float* x, int64_t M, int64_t K, const WeightRef& w,
            const WeightRef* bias, float* y, bool accumulate = false);

// 2-D convolution, NCHW. w is [O, C, k, k] with k = 1 or 3; stride 1 or 2; pad 0 or 1.
// y is [B, O, Ho, Wo] with Ho = (H + 2*pad - k)/stride + 1.
void conv2d(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H, int64_t W,
            const WeightRef& w, const WeightRef* bias, int stride, int pad, float* y);

// Group norm over [B, C, HW] with `groups` groups; gamma/beta [C] (may be null).
// silu: apply SiLU to the output (the common norm+activation fusion).
void group_norm(Context& ctx, const float* x, int64_t B, int64_t C, int64_t HW, int groups,
                float eps, const WeightRef* gamma, const WeightRef* beta, float* y,
                bool silu = false);

// Layer norm over the last dimension of [rows, dim]; gamma/beta [dim] (may be null).
void layer_norm(Context& ctx, const float* x, int64_t rows, int64_t dim, float eps,
                const WeightRef* gamma, const WeightRef* beta, float* y);

// Numerically stable softmax of each row of [rows, n], in place.
void softmax_rows(Context& ctx, float* x, int64_t rows, int64_t n);

// Scaled dot-product attention without materialising the [Nq, Nk] score matrix.
// q: [B, Nq, heads*head_dim], k and v: [B, Nk, heads*head_dim], out: [B, Nq, heads*head_dim].
// Each tensor has its own row stride (elements between consecutive tokens) so q/k/v can be
// slices of one fused projection. scale is usually 1/sqrt(head_dim). causal masks keys j > i.
struct AttentionArgs {
    const float* q;
    const float* k;
    const float* v;
    float* out;
    int64_t batch, nq, nk, heads, head_dim;
    int64_t q_stride, k_stride, v_stride, out_stride;
    float scale;
    bool causal = false;
};
void attention(Context& ctx, const AttentionArgs& args);

// Element-wise activations, in place over n values.
void silu(Context& ctx, float* x, int64_t n);
void gelu_erf(Context& ctx, float* x, int64_t n);
void gelu_tanh(Context& ctx, float* x, int64_t n);
void quick_gelu(Context& ctx, float* x, int64_t n);  // x * sigmoid(1.702 x), CLIP's activation
void relu(Context& ctx, float* x, int64_t n);  // max(x, 0); -0 and NaN pass through
void tanh(Context& ctx, float* x, int64_t n);

// GEGLU: x is [rows, 2d]; y[r, i] = x[r, i] * gelu_erf(x[r, d + i]); y is [rows, d].
void geglu(Context& ctx, const float* x, int64_t rows, int64_t d, float* y);

// y = a + b with broadcasting of b over a's leading dimensions: a is [outer, inner],
// b is [inner] (b_outer = 1) or [outer, inner]. y may alias a.
void add(Context& ctx, const float* a, const float* b, int64_t outer, int64_t inner,
         int64_t b_outer, float* y);
void mul(Context& ctx, const float* a, const float* b, int64_t outer, int64_t inner,
         int64_t b_outer, float* y);
// x[b, c, :] += v[b, c] for x [B, C, HW], v [B, C] (a per-channel bias such as the time
// embedding of a resnet block).
void add_channel_bias(Context& ctx, float* x, const float* v, int64_t B, int64_t C, int64_t HW);

// Nearest-neighbour x2 upsampling, [B, C, H, W] -> [B, C, 2H, 2W].
void upsample_nearest2x(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H,
                        int64_t W, float* y);

// Channel concat of [B, C1, HW] and [B, C2, HW] into [B, C1+C2, HW].
void concat_channels(Context& ctx, const float* a, int64_t C1, const float* b, int64_t C2,
                     int64_t B, int64_t HW, float* y);

// Zero padding: x [B, C, H, W] placed at (top, left) of y [B, C, Ho, Wo], the rest zero.
void pad_zero(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H, int64_t W,
              int64_t top, int64_t left, float* y, int64_t Ho, int64_t Wo);

// [B, C, N] -> [B, N, C] (channel-major activations to token rows).
void channels_to_tokens(Context& ctx, const float* x, int64_t B, int64_t C, int64_t N, float* y);

// y[B, C, N] = tokens[B, N, C]^T, plus residual[B, C, N] when it is not null.
void tokens_to_channels(Context& ctx, const float* tokens, const float* residual, int64_t B,
                        int64_t C, int64_t N, float* y);

// Sinusoidal timestep embedding as the SD UNet uses it: half = dim/2,
// freq_i = exp(-ln(max_period) * i / half), out = [cos(t*freq), sin(t*freq)] per row.
void timestep_embedding(const float* t, int64_t B, int64_t dim, float* out,
                        float max_period = 10000.0f);

// Resizing exactly as torch.nn.functional.interpolate (align_corners=False, no antialias).
enum class Interp { Nearest, NearestExact, Bilinear, Bicubic, Area };
void interpolate(Context& ctx, const float* x, int64_t B, int64_t C, int64_t H, int64_t W,
                 float* y, int64_t Ho, int64_t Wo, Interp mode);

}  // namespace sdn::ops
