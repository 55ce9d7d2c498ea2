#version 450
// Scaled dot-product attention, flash style: each invocation owns one (image, head, query)
// and streams the keys once with an online softmax (running max and sum, rescaling the
// accumulated output when the max grows), so the [Nq, Nk] score matrix never exists.
// One dispatch fills the output columns [v_first, v_first + v_count) of each head: scores use
// the whole head, the accumulator only its slice, so heads wider than MAX_HEAD_DIM (the VAE's
// single 512-wide head) run as several dispatches.
layout(local_size_x = 64) in;
#include "common.glsl"
#define MAX_HEAD_DIM 256u
layout(std430, binding = 0) readonly buffer Q { float q[]; };
layout(std430, binding = 1) readonly buffer K { float k[]; };
layout(std430, binding = 2) readonly buffer V { float v[]; };
layout(std430, binding = 3) writeonly buffer O { float o[]; };
layout(push_constant) uniform Push {
    uint nq, nk, heads, head_dim;
    uint q_stride, k_stride, v_stride, o_stride;
    uint q_skip, k_skip, v_skip, o_skip, causal;
    float scale;
    uint v_first, v_count;
} p;

void main() {
    uint i = gl_GlobalInvocationID.x, head = gl_WorkGroupID.y, image = gl_WorkGroupID.z;
    if (i >= p.nq) return;
    uint qb = p.q_skip + (image * p.nq + i) * p.q_stride + head * p.head_dim;
    float acc[MAX_HEAD_DIM];
    for (uint d = 0u; d < p.v_count; ++d) acc[d] = 0.0;
    float running_max = -3.402823e38, running_sum = 0.0;
    uint keys = p.causal != 0u ? min(p.nk, i + 1u) : p.nk;
    for (uint j = 0u; j < keys; ++j) {
        uint kb = p.k_skip + (image * p.nk + j) * p.k_stride + head * p.head_dim;
        float s = 0.0;
        for (uint d = 0u; d < p.head_dim; ++d) s += q[qb + d] * k[kb + d];
        s *= p.scale;
        float new_max = max(running_max, s);
        float rescale = exp(running_max - new_max), weight = exp(s - new_max);
        running_sum = running_sum * rescale + weight;
        uint vb = p.v_skip + (image * p.nk + j) * p.v_stride + head * p.head_dim + p.v_first;
        for (uint d = 0u; d < p.v_count; ++d) acc[d] = acc[d] * rescale + weight * v[vb + d];
        running_max = new_max;
    }
    uint ob = p.o_skip + (image * p.nq + i) * p.o_stride + head * p.head_dim + p.v_first;
    for (uint d = 0u; d < p.v_count; ++d) o[ob + d] = acc[d] / running_sum;
}
