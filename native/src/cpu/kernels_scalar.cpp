// The portable kernel table: plain C++ (the compiler may still use the baseline SSE2).
#include <cmath>
#include <cstdint>

#include "cpu/kernel_table.h"

namespace sdn::cpu::scalar {

#include "cpu/vector_kernels_impl.h"

namespace {

constexpr int kMr = 4;
constexpr int kNr = 16;

void gemm_micro(int64_t kc, const float* a, const float* b, float* c, int64_t ldc, int mr, int nr,
                bool accumulate) {
    float acc[kMr][kNr] = {};
    for (int64_t k = 0; k < kc; ++k) {
        const float* bk = b + k * kNr;
        for (int i = 0; i < mr; ++i) {
            float av = a[k * kMr + i];
            for (int j = 0; j < kNr; ++j) acc[i][j] += av * bk[j];
        }
    }
    for (int i = 0; i < mr; ++i)
        for (int j = 0; j < nr; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

KernelTable make_table() {
    KernelTable t{};
    t.name = "scalar";
    t.variant = SDN_CPU_VARIANT_SCALAR;
    t.gemm_mr = kMr;
    t.gemm_nr = kNr;
    t.gemm = gemm_micro;
    t.pack_transposed = vk_pack_transposed_plain;
    vk_fill_table(t);
    return t;
}

}  // namespace
}  // namespace sdn::cpu::scalar

namespace sdn::cpu {
const KernelTable& scalar_kernels() {
    static const KernelTable table = scalar::make_table();
    return table;
}
}  // namespace sdn::cpu
