// Plain double-precision implementations of every op in cpu/ops.h, written for clarity, not
// speed: the yardstick the tests hold the fast kernels to. Same argument meanings as ops.h;
// results are rounded to float only at the end.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/ops.h"
#include "quant/dtype.h"

namespace sdn::ref {

// Every element of w as double (f32/f16/bf16; quantized types through the quant row code).
std::vector<double> weight_values(const WeightRef& w);

void linear(const float* x, int64_t M, int64_t K, const WeightRef& w, const WeightRef* bias,
            float* y, bool accumulate = false);
void conv2d(const float* x, int64_t B, int64_t C, int64_t H, int64_t W, const WeightRef& w,
            const WeightRef* bias, int stride, int pad, float* y);
void group_norm(const float* x, int64_t B, int64_t C, int64_t HW, int groups, float eps,
                const WeightRef* gamma, const WeightRef* beta, float* y, bool silu = false);
void layer_norm(const float* x, int64_t rows, int64_t dim, float eps, const WeightRef* gamma,
                const WeightRef* beta, float* y);
void softmax_rows(float* x, int64_t rows, int64_t n);
void attention(const ops::AttentionArgs& args);

void silu(float* x, int64_t n);
void gelu_erf(float* x, int64_t n);
void gelu_tanh(float* x, int64_t n);
void quick_gelu(float* x, int64_t n);
void geglu(const float* x, int64_t rows, int64_t d, float* y);

void add(const float* a, const float* b, int64_t outer, int64_t inner, int64_t b_outer, float* y);
void mul(const float* a, const float* b, int64_t outer, int64_t inner, int64_t b_outer, float* y);
void add_channel_bias(float* x, const float* v, int64_t B, int64_t C, int64_t HW);
void upsample_nearest2x(const float* x, int64_t B, int64_t C, int64_t H, int64_t W, float* y);
void concat_channels(const float* a, int64_t C1, const float* b, int64_t C2, int64_t B, int64_t HW,
                     float* y);
void timestep_embedding(const float* t, int64_t B, int64_t dim, float* out, double max_period = 10000.0);
void interpolate(const float* x, int64_t B, int64_t C, int64_t H, int64_t W, float* y, int64_t Ho,
                 int64_t Wo, ops::Interp mode);

}  // namespace sdn::ref
