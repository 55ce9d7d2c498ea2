#version 450
// Copies between f32 and 16-bit storage, two values (one 32-bit word of halves) per
// invocation. mode 0: f32 -> f16, 1: f16 -> f32, 2: f32 -> bf16 (round to nearest even, NaN
// kept quiet), 3: bf16 -> f32, 4: f32 -> f32. 16-bit offsets are even (word-aligned).
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { uint x[]; };
layout(std430, binding = 1) buffer Y { uint y[]; };
layout(push_constant) uniform Push { uint n, x_skip, y_skip, mode; } p;

uint to_bf16(uint bits) {
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (bits >> 16) | 0x40u;  // NaN stays NaN
    return (bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16;
}

void main() {
    uint pair = flat_invocation();
    uint i = 2u * pair;
    if (i >= p.n) return;
    bool both = i + 1u < p.n;
    if (p.mode == 4u) {
        y[p.y_skip + i] = x[p.x_skip + i];
        if (both) y[p.y_skip + i + 1u] = x[p.x_skip + i + 1u];
    } else if (p.mode == 0u || p.mode == 2u) {
        uint a = x[p.x_skip + i];
        uint b = both ? x[p.x_skip + i + 1u] : 0u;
        uint word = p.mode == 0u ? packHalf2x16(vec2(uintBitsToFloat(a), uintBitsToFloat(b)))
                                 : (to_bf16(a) | (to_bf16(b) << 16));
        // A lone last half keeps the other half of its word as it was.
        y[p.y_skip / 2u + pair] = both ? word : ((y[p.y_skip / 2u + pair] & 0xffff0000u) | (word & 0xffffu));
    } else if (p.mode == 3u) {
        uint word = x[p.x_skip / 2u + pair];
        y[p.y_skip + i] = word << 16;
        if (both) y[p.y_skip + i + 1u] = word & 0xffff0000u;
    } else {
        vec2 v = unpackHalf2x16(x[p.x_skip / 2u + pair]);
        y[p.y_skip + i] = floatBitsToUint(v.x);
        if (both) y[p.y_skip + i + 1u] = floatBitsToUint(v.y);
    }
}
