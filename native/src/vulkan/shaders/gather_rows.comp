#version 450
// Embedding lookup: y[r, :] = table[ids[r], :] decoded to f32, the table in any weight type
// (compiled once per type). A table larger than one binding is bound in pieces of rows
// [first_id, first_id + id_count); each dispatch writes the rows whose id lies in its piece.
layout(local_size_x = 256) in;
#include "common.glsl"
layout(std430, binding = 0) readonly buffer Ids { int ids[]; };
layout(std430, binding = 1) readonly buffer Wt { uint w[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };
layout(push_constant) uniform Push { uint rows, dim, ids_skip, w_skip, w_row_bytes, y_skip, first_id, id_count; } p;
#include "weights.glsl"

void main() {
    uint i = flat_invocation();
    if (i >= p.rows * p.dim) return;
    int id = ids[p.ids_skip + i / p.dim] - int(p.first_id);
    if (id < 0 || id >= int(p.id_count)) return;
    y[p.y_skip + i] = weight_value(p.w_skip + uint(id) * p.w_row_bytes, i % p.dim);
}
