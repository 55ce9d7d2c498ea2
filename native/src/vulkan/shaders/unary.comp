#version 450
// Element-wise activations in place: 0 SiLU, 1 GELU (erf), 2 GELU (tanh), 3 quick GELU,
// 4 ReLU, 5 tanh.
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) buffer X { float x[]; };
layout(push_constant) uniform Push { uint n, skip, mode; } p;

void main() {
    uint i = flat_invocation();
    if (i >= p.n) return;
    float v = x[p.skip + i];
    if (p.mode == 0u) v = v * sigmoid(v);
    else if (p.mode == 1u) v = 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752));
    else if (p.mode == 2u) v = 0.5 * v * (1.0 + tanh(0.79788456080286536 * (v + 0.044715 * v * v * v)));
    else if (p.mode == 3u) v = v * sigmoid(1.702 * v);
    else if (p.mode == 4u) v = v < 0.0 ? 0.0 : v;  // -0 and NaN pass through, as on the CPU
    else v = tanh(v);
    x[p.skip + i] = v;
}
