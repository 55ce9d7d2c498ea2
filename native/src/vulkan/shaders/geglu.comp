#version 450
// GEGLU: x is [rows, 2d]; y[r, i] = x[r, i] * gelu_erf(x[r, d + i]).
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint rows, d, x_skip, y_skip; } p;

void main() {
    uint i = flat_invocation();
    if (i >= p.rows * p.d) return;
    uint r = i / p.d, c = i % p.d;
    float g = x[p.x_skip + r * 2u * p.d + p.d + c];
    y[p.y_skip + i] = x[p.x_skip + r * 2u * p.d + c] * 0.5 * g * (1.0 + erf_approx(g * 0.70710678118654752));
}
