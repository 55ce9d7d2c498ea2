// Workgroup sum of one float per invocation (256 invocations), for the normalizations.
shared float partial_sums[256];

float workgroup_sum(float v) {
    uint t = gl_LocalInvocationID.x;
    partial_sums[t] = v;
    barrier();
    for (uint half_ = 128u; half_ > 0u; half_ >>= 1) {
        if (t < half_) partial_sums[t] += partial_sums[t + half_];
        barrier();
    }
    float total = partial_sums[0];
    barrier();
    return total;
}
