#version 450
// y = a (+ or *) b over [outer, inner], b either [inner] (broadcast over rows) or [outer, inner].
// y may be a itself.
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) buffer Y { float y[]; };
layout(push_constant) uniform Push { uint outer, inner, b_broadcast, a_skip, b_skip, y_skip, multiply; } p;

void main() {
    uint i = flat_invocation();
    if (i >= p.outer * p.inner) return;
    float bv = b[p.b_skip + (p.b_broadcast != 0u ? i % p.inner : i)];
    float av = a[p.a_skip + i];
    y[p.y_skip + i] = p.multiply != 0u ? av * bv : av + bv;
}
