#version 450
// 2-D convolution as an implicit GEMM: m = (image, output pixel), n = output channel,
// k = (input channel, ky, kx); A is read straight from the NCHW input with zero padding, so
// no im2col buffer exists. Weights [O, C, k, k] in any type (compiled once per type).
layout(local_size_x = 16, local_size_y = 16) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Wt { uint w[]; };
layout(std430, binding = 2) readonly buffer Bias { float bias[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
    uint images, C, H, W, O, Ho, Wo, ksize, stride, pad;
    uint x_skip, w_skip, w_row_bytes, y_skip, o0, o_total, bias_skip, has_bias, n_count;
} p;
#include "weights.glsl"
#include "gemm_tile.glsl"

float load_a(uint m, uint k) {
    uint pixels = p.Ho * p.Wo, taps = p.ksize * p.ksize;
    uint image = m / pixels, pixel = m % pixels;
    uint c = k / taps, tap = k % taps;
    int hi = int((pixel / p.Wo) * p.stride + tap / p.ksize) - int(p.pad);
    int wi = int((pixel % p.Wo) * p.stride + tap % p.ksize) - int(p.pad);
    if (hi < 0 || wi < 0 || hi >= int(p.H) || wi >= int(p.W)) return 0.0;
    return x[p.x_skip + ((image * p.C + c) * p.H + uint(hi)) * p.W + uint(wi)];
}
float load_w(uint n, uint k) { return weight_value(p.w_skip + n * p.w_row_bytes, k); }

void main() {
    uint M = p.images * p.Ho * p.Wo, K = p.C * p.ksize * p.ksize;
    uint m = gl_WorkGroupID.y * TILE + gl_LocalInvocationID.y;
    uint n = gl_WorkGroupID.x * TILE + gl_LocalInvocationID.x;
    float v = gemm_tile_dot(gl_WorkGroupID.y * TILE, gl_WorkGroupID.x * TILE, M, p.n_count, K);
    if (m >= M || n >= p.n_count) return;
    if (p.has_bias != 0u) v += bias[p.bias_skip + n];
    uint pixels = p.Ho * p.Wo;
    y[p.y_skip + ((m / pixels) * p.o_total + p.o0 + n) * pixels + m % pixels] = v;
}
