// The bfloat16 form of one attention task, used by ops::attention when the context's kernel
// table multiplies in bf16 (matrix_bf16: AMX tiles or AVX512-BF16 dot products).
#pragma once

#include <cstdint>

#include "cpu/kernel_table.h"
#include "cpu/ops.h"

namespace sdn::cpu {

// Queries per task (each task reads all of its head's keys and values).
constexpr int64_t kAttentionTaskQ = 512;

// The largest head the bf16 task packs (one key row of bf16 on its stack); larger heads take
// the float32 path.
constexpr int64_t kAttentionBf16MaxHeadDim = 1024;

// Floats of scratch one task needs for this head size.
int64_t attention_bf16_scratch_floats(int64_t head_dim);

// Queries [q0, q0 + nq) of head h of batch item b; nq <= kAttentionTaskQ, with the products
// on kt.matrix_bf16. `scratch` holds attention_bf16_scratch_floats(head_dim) floats, 64-byte
// aligned.
void attention_task_bf16(const KernelTable& kt, const ops::AttentionArgs& a, int64_t b, int64_t h, int64_t q0,
                        int64_t nq, float* scratch);

}  // namespace sdn::cpu
