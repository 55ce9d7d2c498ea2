// Included by every shader. Grids larger than 65535 workgroups are laid out over x and y
// (the portable per-dimension limit); flat_group() numbers them back in order.
#extension GL_GOOGLE_include_directive : require

uint flat_group() { return gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x; }
// Needs the local size declared before this file is included.
uint flat_invocation() { return flat_group() * gl_WorkGroupSize.x + gl_LocalInvocationID.x; }

float sigmoid(float x) { return 1.0 / (1.0 + exp(-x)); }

// erf through erfc's Chebyshev-fitted form (fractional error below 1.2e-7), since GLSL has
// no erf and GELU needs it to float precision.
float erf_approx(float x) {
    float z = abs(x);
    float t = 1.0 / (1.0 + 0.5 * z);
    float r = t * exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
              t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
              t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0.0 ? 1.0 - r : r - 1.0;
}
