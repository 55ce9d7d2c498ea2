// The tiled GEMM core shared by linear and the implicit-GEMM convolution: a 16x16 workgroup
// computes a 16x16 block of out[m, n] = sum_k A[m, k] * W[n, k], staging 16-wide K slices of
// A and W in shared memory so each value is read from device memory once per workgroup.
// The includer defines load_a (its A, e.g. an input patch for a convolution; no im2col
// buffer) and load_w (a weight row element, decoded from any storage type).
#define TILE 16u

shared float tile_a[TILE][TILE + 1u];
shared float tile_w[TILE][TILE + 1u];

float load_a(uint m, uint k);
float load_w(uint n, uint k);

// Invocation (x, y) of the workgroup gets out[m0 + y, n0 + x]; every invocation must call it
// (it synchronizes the workgroup), including those outside M x N.
float gemm_tile_dot(uint m0, uint n0, uint M, uint N, uint K) {
    uint tx = gl_LocalInvocationID.x, ty = gl_LocalInvocationID.y;
    float acc = 0.0;
    for (uint k0 = 0u; k0 < K; k0 += TILE) {
        uint k = k0 + tx;
        tile_a[ty][tx] = (m0 + ty < M && k < K) ? load_a(m0 + ty, k) : 0.0;
        tile_w[ty][tx] = (n0 + ty < N && k < K) ? load_w(n0 + ty, k) : 0.0;
        barrier();
        for (uint kk = 0u; kk < TILE; ++kk) acc += tile_a[ty][kk] * tile_w[tx][kk];
        barrier();
    }
    return acc;
}
