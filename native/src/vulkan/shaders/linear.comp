#version 450
// y[m, y_col0 + n] (+)= sum_k x[m, k] * W[n, k] + bias[n]: PyTorch Linear, W stored [N, K]
// in any weight type (compiled once per type). Split dispatches cover column ranges of y.
layout(local_size_x = 16, local_size_y = 16) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Wt { uint w[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, binding = 3) buffer Y { float y[]; };
layout(push_constant) uniform Push {
    uint M, N, K;
    uint x_skip, w_skip, w_row_bytes, y_skip, y_stride, y_col0, bias_skip;
    uint has_bias, accumulate;
} p;
#include "weights.glsl"
#include "gemm_tile.glsl"

float load_a(uint m, uint k) { return x[p.x_skip + m * p.K + k]; }
float load_w(uint n, uint k) { return weight_value(p.w_skip + n * p.w_row_bytes, k); }

void main() {
    uint m = gl_WorkGroupID.y * TILE + gl_LocalInvocationID.y;
    uint n = gl_WorkGroupID.x * TILE + gl_LocalInvocationID.x;
    float v = gemm_tile_dot(gl_WorkGroupID.y * TILE, gl_WorkGroupID.x * TILE, p.M, p.N, p.K);
    if (m >= p.M || n >= p.N) return;
    if (p.has_bias != 0u) v += bias[p.bias_skip + n];
    uint at = p.y_skip + m * p.y_stride + p.y_col0 + n;
    y[at] = p.accumulate != 0u ? y[at] + v : v;
}
