#version 450
// Sinusoidal timestep embedding: out[b] = [cos(t_b * f_i), sin(t_b * f_i)], i < dim/2, with
// f_i = exp(-ln(max_period) * i / half); an odd dim ends in one zero.
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer T { float t[]; };
layout(std430, binding = 1) writeonly buffer Out { float o[]; };
layout(push_constant) uniform Push { uint images, dim, t_skip, o_skip; float log_max_period; } p;

void main() {
    uint i = flat_invocation();
    if (i >= p.images * p.dim) return;
    uint b = i / p.dim, c = i % p.dim, half_ = p.dim / 2u;
    float v = 0.0;
    if (c < 2u * half_) {
        uint f = c % half_;
        float arg = t[p.t_skip + b] * exp(-p.log_max_period * float(f) / float(half_));
        v = c < half_ ? cos(arg) : sin(arg);
    }
    o[p.o_skip + i] = v;
}
