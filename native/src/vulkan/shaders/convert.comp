#version 450
// Copies between f32 and f16 storage, two values (one 32-bit word of halves) per invocation.
// mode 0: f32 -> f16, mode 1: f16 -> f32. Half offsets are even (word-aligned).
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { uint x[]; };
layout(std430, binding = 1) buffer Y { uint y[]; };
layout(push_constant) uniform Push { uint n, x_skip, y_skip, mode; } p;

void main() {
    uint pair = flat_invocation();
    uint i = 2u * pair;
    if (i >= p.n) return;
    bool both = i + 1u < p.n;
    if (p.mode == 0u) {
        float a = uintBitsToFloat(x[p.x_skip + i]);
        float b = both ? uintBitsToFloat(x[p.x_skip + i + 1u]) : 0.0;
        uint word = packHalf2x16(vec2(a, b));
        // A lone last half keeps the other half of its word as it was.
        y[p.y_skip / 2u + pair] = both ? word : ((y[p.y_skip / 2u + pair] & 0xffff0000u) | (word & 0xffffu));
    } else {
        vec2 v = unpackHalf2x16(x[p.x_skip / 2u + pair]);
        y[p.y_skip + i] = floatBitsToUint(v.x);
        if (both) y[p.y_skip + i + 1u] = floatBitsToUint(v.y);
    }
}
