#version 450
// Resizing planes [H, W] -> [Ho, Wo] exactly as torch.nn.functional.interpolate with
// align_corners=False and no antialias. mode 0 nearest (src = floor(dst * in/out)),
// 1 nearest-exact (floor((dst + 0.5) * in/out)), 2 bilinear, 3 bicubic (A = -0.75, edge
// taps clamped), 4 area (the mean over [floor(dst*in/out), ceil((dst+1)*in/out))).
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint planes, H, W, Ho, Wo, x_skip, y_skip, mode; } p;

float at_clamped(uint plane, int h, int w) {
    h = clamp(h, 0, int(p.H) - 1);
    w = clamp(w, 0, int(p.W) - 1);
    return x[p.x_skip + (plane * p.H + uint(h)) * p.W + uint(w)];
}

// Cubic convolution weights for the four taps around a fractional position t in [0, 1).
vec4 cubic_weights(float t) {
    const float A = -0.75;
    float t1 = t + 1.0, t2 = 1.0 - t, t3 = 2.0 - t;
    return vec4(((A * t1 - 5.0 * A) * t1 + 8.0 * A) * t1 - 4.0 * A,
                ((A + 2.0) * t - (A + 3.0)) * t * t + 1.0,
                ((A + 2.0) * t2 - (A + 3.0)) * t2 * t2 + 1.0,
                ((A * t3 - 5.0 * A) * t3 + 8.0 * A) * t3 - 4.0 * A);
}

void main() {
    uint i = flat_invocation();
    if (i >= p.planes * p.Ho * p.Wo) return;
    uint plane = i / (p.Ho * p.Wo), oy = (i / p.Wo) % p.Ho, ox = i % p.Wo;
    float sy = float(p.H) / float(p.Ho), sx = float(p.W) / float(p.Wo);
    float v;
    if (p.mode == 0u || p.mode == 1u) {
        float off = p.mode == 1u ? 0.5 : 0.0;
        int h = min(int(floor((float(oy) + off) * sy)), int(p.H) - 1);
        int w = min(int(floor((float(ox) + off) * sx)), int(p.W) - 1);
        v = at_clamped(plane, h, w);
    } else if (p.mode == 2u) {
        float fy = max((float(oy) + 0.5) * sy - 0.5, 0.0), fx = max((float(ox) + 0.5) * sx - 0.5, 0.0);
        int h0 = int(floor(fy)), w0 = int(floor(fx));
        float ly = fy - float(h0), lx = fx - float(w0);
        v = (1.0 - ly) * ((1.0 - lx) * at_clamped(plane, h0, w0) + lx * at_clamped(plane, h0, w0 + 1)) +
            ly * ((1.0 - lx) * at_clamped(plane, h0 + 1, w0) + lx * at_clamped(plane, h0 + 1, w0 + 1));
    } else if (p.mode == 3u) {
        float fy = (float(oy) + 0.5) * sy - 0.5, fx = (float(ox) + 0.5) * sx - 0.5;
        int h0 = int(floor(fy)), w0 = int(floor(fx));
        vec4 wy = cubic_weights(fy - float(h0)), wx = cubic_weights(fx - float(w0));
        v = 0.0;
        for (int a = 0; a < 4; ++a) {
            float row = 0.0;
            for (int b = 0; b < 4; ++b) row += wx[b] * at_clamped(plane, h0 - 1 + a, w0 - 1 + b);
            v += wy[a] * row;
        }
    } else {
        uint h0 = (oy * p.H) / p.Ho, h1 = ((oy + 1u) * p.H + p.Ho - 1u) / p.Ho;
        uint w0 = (ox * p.W) / p.Wo, w1 = ((ox + 1u) * p.W + p.Wo - 1u) / p.Wo;
        float sum = 0.0;
        for (uint h = h0; h < h1; ++h)
            for (uint w = w0; w < w1; ++w) sum += x[p.x_skip + (plane * p.H + h) * p.W + w];
        v = sum / float((h1 - h0) * (w1 - w0));
    }
    y[p.y_skip + i] = v;
}
