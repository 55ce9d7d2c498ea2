#version 450
// Group norm over [images, C, HW]: one workgroup per (image, group). Mean, then variance
// around it (two passes: more accurate than E[x^2] - E[x]^2), then y = norm * gamma + beta,
// optionally followed by SiLU.
layout(local_size_x = 256) in;
#include "common.glsl"
#include "reduce.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Gamma { float gamma[]; };
layout(std430, binding = 2) readonly buffer Beta { float beta[]; };
layout(std430, binding = 3) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push {
    uint C, HW, groups, x_skip, y_skip, gamma_skip, beta_skip, has_gamma, has_beta, silu;
    float eps;
} p;

void main() {
    uint image = flat_group() / p.groups, group = flat_group() % p.groups;
    uint per_group = p.C / p.groups, count = per_group * p.HW;
    uint base = (image * p.C + group * per_group) * p.HW;
    float sum = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < count; i += 256u) sum += x[p.x_skip + base + i];
    float mean = workgroup_sum(sum) / float(count);
    float sq = 0.0;
    for (uint i = gl_LocalInvocationID.x; i < count; i += 256u) {
        float d = x[p.x_skip + base + i] - mean;
        sq += d * d;
    }
    float rstd = inversesqrt(workgroup_sum(sq) / float(count) + p.eps);
    for (uint i = gl_LocalInvocationID.x; i < count; i += 256u) {
        uint c = group * per_group + i / p.HW;
        float v = (x[p.x_skip + base + i] - mean) * rstd;
        if (p.has_gamma != 0u) v *= gamma[p.gamma_skip + c];
        if (p.has_beta != 0u) v += beta[p.beta_skip + c];
        if (p.silu != 0u) v *= sigmoid(v);
        y[p.y_skip + base + i] = v;
    }
}
