// q8_0 / q4_0 weights as the row operand of the integer products (cpu/gemm_int8.h; a conv's
// weight), and the check that decides when those products run. Plain C++ (no instruction-set
// flags): the check runs on every CPU, and a conv's weight rows are reused by every pixel, so
// unpacking them costs little next to the products. (A linear's weight, the column operand, is
// packed with gathers: int8_weight_columns_avx512.cpp.)
#include <cstdlib>
#include <cstring>

#include "core/cpu_features.h"
#include "cpu/gemm_int8.h"
#include "quant/block_layouts.h"

namespace sdn::cpu::int8 {

namespace {

// Block b of weight row r: its scale, and its 32 values as signed integers in [-128, 127].
float unpack_block(const WeightRef& w, int64_t r, int64_t b, int8_t values[kBlock]) {
    const int64_t K = w.row_elems();
    const auto* row = static_cast<const uint8_t*>(w.data) + r * dtype_row_bytes(w.type, K);
    if (w.type == DType::Q8_0) {
        const uint8_t* block = row + b * quant::kQ8_0Bytes;
        std::memcpy(values, block + 2, kBlock);
        return quant::load_f16(block);
    }
    // q4_0: byte j holds value j in its low nibble and value j + 16 in its high one, both + 8.
    const uint8_t* block = row + b * quant::kQ4_0Bytes;
    for (int j = 0; j < kBlock / 2; ++j) {
        values[j] = static_cast<int8_t>((block[2 + j] & 15) - 8);
        values[j + 16] = static_cast<int8_t>((block[2 + j] >> 4) - 8);
    }
    return quant::load_f16(block);
}

}  // namespace

bool applies(const KernelTable& kt, const WeightRef& w, int64_t K) {
    return kt.variant == SDN_CPU_VARIANT_AVX512_BF16 && (cpu_info().features & SDN_CPU_AVX512_VNNI) &&
           (w.type == DType::Q8_0 || w.type == DType::Q4_0) && K > 0 && K % kBlock == 0 && w.row_elems() == K;
}

bool conv_applies(const KernelTable& kt, const WeightRef& w, int64_t K) {
    const char* requested = std::getenv("SDN_CPU_INT8_CONVS");
    return requested && std::strcmp(requested, "0") != 0 && applies(kt, w, K);
}

void pack_weight_rows(const WeightRef& w, int64_t r0, int64_t rows, int64_t b0, int64_t nb, uint8_t* q,
                      float* scale) {
    int8_t values[kBlock];
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t b = 0; b < nb; ++b) {
            scale[i * nb + b] = unpack_block(w, r0 + i, b0 + b, values);
            uint8_t* dst = q + (i * nb + b) * kBlock;
            // q + 128 as a byte is q with its top bit flipped.
            for (int k = 0; k < kBlock; ++k) dst[k] = static_cast<uint8_t>(values[k]) ^ 0x80u;
        }
}

}  // namespace sdn::cpu::int8
