#version 450
// Zero padding: planes [H, W] placed at (top, left) of planes [Ho, Wo], zeros elsewhere.
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint planes, H, W, Ho, Wo, top, left, x_skip, y_skip; } p;

void main() {
    uint i = flat_invocation();
    if (i >= p.planes * p.Ho * p.Wo) return;
    uint plane = i / (p.Ho * p.Wo);
    int h = int((i / p.Wo) % p.Ho) - int(p.top), w = int(i % p.Wo) - int(p.left);
    bool inside = h >= 0 && w >= 0 && h < int(p.H) && w < int(p.W);
    y[p.y_skip + i] = inside ? x[p.x_skip + (plane * p.H + uint(h)) * p.W + uint(w)] : 0.0;
}
