// Integer products for q8_0 / q4_0 weights on CPUs with AVX512-VNNI (the avx512-bf16 variant):
// instead of expanding the weight to bfloat16, the float operand (linear's activations, conv's
// gathered input columns) is quantized the way q8_0 quantizes weights, in blocks of 32 along K
// that line up with the weight's blocks, and each block's product is an exact int32 dot product
// (VPDPBUSD) scaled by the two blocks' scales into a float32 sum:
//   C[i, j] = sum over blocks b of  d_row[i, b] * d_col[j, b] * sum_{k in b} q_row[i, k] q_col[j, k].
// The float operand's quantization is the only error this adds (|x - q d| <= d / 2 per element,
// d = max|x| / 127 over its block); the integer sums are exact.
//
// Operand layouts (one K slice of nb blocks):
//   rows:    u8 [rows][nb * 32] = q + 128 (VPDPBUSD multiplies unsigned by signed bytes),
//            scales float [rows][nb];
//   columns: panels of 32 columns; per block 1024 bytes of s8: half h (16 columns), group g of
//            4 consecutive k, column j at byte h * 512 + g * 64 + j * 4 (the 4 bytes one
//            VPDPBUSD lane sums); then per block 32 int32 corrections and 32 float scales.
// The +128 offset adds 128 * sum_k q_col[j, k] to every row's block sum, so a column's
// correction -128 * sum_k q_col[j, k] (computed as the column is packed) starts each block's
// sum and cancels it.
#pragma once

#include <cstdint>

#include "core/context.h"
#include "cpu/gemm.h"
#include "cpu/kernel_table.h"

namespace sdn::cpu::int8 {

constexpr int kBlock = 32;            // K per quantization block (q8_0 / q4_0 block size)
constexpr int kPanel = 32;            // columns per packed column panel
constexpr int kPanelBlockBytes = 1024; // packed bytes of one block of one panel

// One packed column panel for nb blocks: the s8 values, then the corrections, then the scales.
struct ColumnPanel {
    const int8_t* q;       // nb * 1024 bytes
    const int32_t* corr;   // nb * 32
    const float* scale;    // nb * 32
};

// Bytes of one packed column panel of nb blocks (64-byte multiple, so panels stay aligned).
inline int64_t column_panel_bytes(int64_t nb) { return nb * (kPanelBlockBytes + kPanel * 8); }
inline ColumnPanel column_panel(const uint8_t* base, int64_t nb) {
    return {reinterpret_cast<const int8_t*>(base), reinterpret_cast<const int32_t*>(base + nb * kPanelBlockBytes),
            reinterpret_cast<const float*>(base + nb * (kPanelBlockBytes + kPanel * 4))};
}

// True when a GEMM whose weight is `w` (rows of K) runs on integer products under `kt`: the
// avx512-bf16 variant on a CPU with AVX512-VNNI, a q8_0 or q4_0 weight and K a whole number of
// 32-blocks. Everything else keeps the float/bf16 paths.
bool applies(const KernelTable& kt, const WeightRef& w, int64_t K);

// For conv2d: applies() and the environment variable SDN_CPU_INT8_CONVS set (to anything but
// "0"). Off by default because a conv's input quantized per 32-block costs more accuracy than a
// linear's: with the UNet's convs held as q8_0 rows the first SD1.5 oracle case fell from
// 48.7 to 43.5 dB, under the 45 dB the defaults are held to (post-SiLU inputs are nearly
// one-signed, so the symmetric blocks waste half their range). Such convs otherwise take the
// bfloat16 products, their blocks expanded per tile; they keep their smaller memory either way.
bool conv_applies(const KernelTable& kt, const WeightRef& w, int64_t K);

// The job with integer products (applies() must hold for its weight). Two shapes:
//   - linear: A in place (job.a, job.lda) and the weight as B (job.b_weight, [N, K]);
//   - conv2d: the weight as A (job.a_weight, [M, K]) and B gathered by job.pack_b.
// job.load_a and job.a for the weight-A shape are not used; the epilogue runs per C tile.
void run_gemm(Context& ctx, const GemmJob& job);

// --- pieces, exposed for the tests ---

// Quantizes `rows` float rows (row i at x + i * ldx, nb blocks each) to the row layout
// (u8 = q + 128, row stride nb * 32; scales [rows][nb]). Per block: d = max|x| / 127,
// q = round-to-nearest-even(x * (127 / max|x|)); an all-zero block has d = 0, q = 0.
void quantize_rows(const float* x, int64_t ldx, int64_t rows, int64_t nb, uint8_t* q, float* scale);

// Quantizes a float panel (kc = nb * 32 rows of 32 columns, panel[k * 32 + j]) column by column
// with the same rule, into one packed column panel at dst (column_panel_bytes(nb) bytes).
void quantize_column_panel(const float* panel, int64_t nb, uint8_t* dst);

// Weight rows [r0, r0 + rows), blocks [b0, b0 + nb), of a q8_0/q4_0 weight as the row layout.
void pack_weight_rows(const WeightRef& w, int64_t r0, int64_t rows, int64_t b0, int64_t nb, uint8_t* q,
                      float* scale);

// Weight rows [n0, n0 + cols) (cols <= 32), blocks [b0, b0 + nb), as one packed column panel
// (columns past cols zero).
void pack_weight_columns(const WeightRef& w, int64_t n0, int64_t cols, int64_t b0, int64_t nb, uint8_t* dst);

// C[mr x nr] (+)= rows x one column panel over nb blocks (mr any, nr <= 32): row i's bytes at
// q + i * ldq, its scales at scale + i * lds. Nothing of C outside mr x nr is touched.
void multiply_panel(int64_t nb, const uint8_t* q, int64_t ldq, const float* scale, int64_t lds,
                    const ColumnPanel& cols, float* c, int64_t ldc, int mr, int nr, bool accumulate);

}  // namespace sdn::cpu::int8
