#version 450
// y[image, c, r] = x[image, r, c] (+ residual[image, c, r]): tokens <-> channels
// ([B, C, HW] <-> [B, HW, C]), with the residual add that ends a transformer block fused.
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer R { float residual[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint images, rows, cols, x_skip, y_skip, r_skip, has_residual; } p;

void main() {
    uint i = flat_invocation();
    uint per_image = p.rows * p.cols;
    if (i >= p.images * per_image) return;
    uint image = i / per_image, at = i % per_image;
    uint c = at / p.rows, r = at % p.rows;
    float v = x[p.x_skip + image * per_image + r * p.cols + c];
    if (p.has_residual != 0u) v += residual[p.r_skip + i];
    y[p.y_skip + i] = v;
}
