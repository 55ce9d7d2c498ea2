#version 450
// x[plane, :] += v[plane] over planes of HW values (plane = image * C + channel).
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Vb { float v[]; };
layout(push_constant) uniform Push { uint planes, HW, x_skip, v_skip; } p;

void main() {
    uint i = flat_invocation();
    if (i >= p.planes * p.HW) return;
    x[p.x_skip + i] += v[p.v_skip + i / p.HW];
}
