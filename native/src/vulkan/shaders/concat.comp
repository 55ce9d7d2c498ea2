#version 450
// Channel concat: [images, C1, HW] and [images, C2, HW] -> [images, C1 + C2, HW].
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint images, C1, C2, HW, a_skip, b_skip, y_skip; } p;

void main() {
    uint i = flat_invocation();
    uint per_image = (p.C1 + p.C2) * p.HW;
    if (i >= p.images * per_image) return;
    uint image = i / per_image, at = i % per_image;
    y[p.y_skip + i] = at < p.C1 * p.HW ? a[p.a_skip + image * p.C1 * p.HW + at]
                                       : b[p.b_skip + image * p.C2 * p.HW + at - p.C1 * p.HW];
}
