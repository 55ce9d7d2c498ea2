#version 450
// Layer norm over the last dimension of [rows, dim]: one workgroup per row, two passes.
layout(local_size_x = 256) in;
#include "common.glsl"
#include "reduce.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
    uint dim, x_skip, y_skip, gamma_skip, beta_skip, has_gamma, has_beta;
    float eps;
} p;

void main() {
    uint base = flat_group() * p.dim;
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.dim; i += 256u) sum += x[p.x_skip + base + i];
    float mean = workgroup_sum(sum) / float(p.dim);
    float sq = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < p.dim; i += 256u) {
        float d = x[p.x_skip + base + i] - mean;
        sq += d * d;
    }
    float rstd = inversesqrt(workgroup_sum(sq) / float(p.dim) + p.eps);
    for (uint i = gl_LocalInvocationID.x; i < p.dim; i += 256u) {
        float v = (x[p.x_skip + base + i] - mean) * rstd;
        if (p.has_gamma != 0u) v *= gamma[p.gamma_skip + i];
        if (p.has_beta != 0u) v += beta[p.beta_skip + i];
        y[p.y_skip + base + i] = v;
    }
}
