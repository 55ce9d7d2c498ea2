#version 450
// y[image, c, r] = x[image, r, c]: tokens <-> channels ([B, C, HW] <-> [B, HW, C]).
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint images, rows, cols, x_skip, y_skip; } p;

void main() {
    uint i = flat_invocation();
    uint per_image = p.rows * p.cols;
    if (i >= p.images * per_image) return;
    uint image = i / per_image, at = i % per_image;
    uint c = at / p.rows, r = at % p.rows;
    y[p.y_skip + i] = x[p.x_skip + image * per_image + r * p.cols + c];
}
