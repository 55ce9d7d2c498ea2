#version 450
// Nearest-neighbour x2 upsampling of planes [H, W] -> [2H, 2W].
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint planes, H, W, x_skip, y_skip; } p;

void main() {
    uint i = flat_invocation();
    uint Wo = 2u * p.W, per_plane = 4u * p.H * p.W;
    if (i >= p.planes * per_plane) return;
    uint plane = i / per_plane, at = i % per_plane;
    y[p.y_skip + i] = x[p.x_skip + (plane * p.H + (at / Wo) / 2u) * p.W + (at % Wo) / 2u];
}
