// The AMX (bfloat16 tile) path of the GEMM driver, used when the context's kernel table has
// matrix_bf16 set. Same job semantics as gemm_block in gemm.cpp, but products are rounded to
// bfloat16 operands with float32 accumulation.
#pragma once

#include <cstdint>

#include "cpu/gemm.h"

namespace sdn::cpu {

// C rows [m0, m1) x columns [n0, n1) of the job, all of K, on the calling thread.
void gemm_block_amx(const GemmJob& job, int64_t m0, int64_t m1, int64_t n0, int64_t n1);

// Scratch bytes one gemm_block_amx call of `rows` x `cols` holds on its thread.
int64_t gemm_block_amx_scratch_bytes(const GemmJob& job, int64_t rows, int64_t cols);

}  // namespace sdn::cpu
