// One attention task (batch item, head, up to kTaskQ queries) with bfloat16 products on the
// kernel table's bf16 block kernel (AMX tiles or AVX512-BF16 dot products). Queries are taken
// 32 at a time against blocks of kBlockK keys: S = Q K^T in float32 tiles, an online
// softmax along each query's row (running max and sum; earlier output rescaled), P rounded to
// bfloat16 as the A operand of O += P V. Q, K and V are rounded to bfloat16 once per task as
// they are packed; all sums stay float32.
//
// Operands as cpu/gemm_bf16.h lays them out: A (Q, P) row-major bf16, B (K^T, V) in
// pair-interleaved 16-column halves (row r = B[2r][j], B[2r+1][j] for 16 columns j).
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 reports its own masked-load and reduction intrinsics as maybe-uninitialized (a known
// false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cpu/attention_bf16.h"
#include "cpu/bf16_pack.h"
#include "cpu/gemm_bf16.h"
#include "cpu/scratch.h"

namespace sdn::cpu {

namespace {

constexpr int64_t kBlockK = 256;  // keys per block
constexpr int kGroup = 32;        // queries per group (two A tiles)

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

namespace vm {
#include "cpu/vector_math.h"
}

// The largest of row[0, n); -inf when n is 0.
float row_max_of(const float* row, int64_t n) {
    __m512 m = _mm512_set1_ps(-INFINITY);
    for (int64_t j = 0; j < n; j += 16) m = _mm512_max_ps(m, _mm512_mask_loadu_ps(m, bf16::lanes16(n - j), row + j));
    return _mm512_reduce_max_ps(m);
}

// One row of a score block into softmax weights, in one pass over the scores: p_j =
// exp(row[j] - shift) for j < valid and 0 up to bk_pad, written as bf16 to prow. Returns the
// sum of the weights as rounded, so the normalisation divides by what the product adds up.
float exp_row_to_bf16(const float* row, int64_t valid, int64_t bk_pad, float shift, uint16_t* prow) {
    alignas(64) float e[kBlockK];
    // Every score of the padded row (all defined: padding keys score 0), so the loop vectorises
    // (a per-key condition kept it scalar, and exp was then a third of an attention task); the
    // keys past `valid` are zeroed after.
    for (int64_t j = 0; j < bk_pad; ++j) e[j] = vm::vm_exp(row[j] - shift);
    for (int64_t j = valid; j < bk_pad; ++j) e[j] = 0.0f;
    __m512 sum = _mm512_setzero_ps();
    for (int64_t j = 0; j < bk_pad; j += 32) {
        const __m512bh p = _mm512_cvtne2ps_pbh(_mm512_load_ps(e + j + 16), _mm512_load_ps(e + j));
        _mm512_store_si512(prow + j, reinterpret_cast<__m512i>(p));
        // bf16 back to f32 is a 16-bit shift into the high half.
        const __m512i bits = reinterpret_cast<__m512i>(p);
        sum = _mm512_add_ps(sum, _mm512_castsi512_ps(_mm512_slli_epi32(bits, 16)));
        sum = _mm512_add_ps(sum, _mm512_castsi512_ps(_mm512_and_si512(bits, _mm512_set1_epi32(int32_t(0xffff0000u)))));
    }
    return _mm512_reduce_add_ps(sum);
}

// 16 floats from src (n of them; the rest zero), times `scale`, as 16 bf16.
inline __m256i bf16x16(const float* src, int64_t n, float scale) {
    return reinterpret_cast<__m256i>(
        _mm512_cvtneps_pbh(_mm512_mul_ps(_mm512_maskz_loadu_ps(bf16::lanes16(n), src), _mm512_set1_ps(scale))));
}

// Rows of a strided [rows, d] matrix into row-major bf16 [rows_pad][d_pad] (zero padded).
void pack_rows(const float* src, int64_t stride, int64_t rows, int64_t rows_pad, int64_t d, int64_t d_pad, float scale,
               uint16_t* dst) {
    for (int64_t r = 0; r < rows_pad; ++r) {
        uint16_t* out = dst + r * d_pad;
        if (r >= rows) {
            std::memset(out, 0, static_cast<size_t>(d_pad) * 2);
            continue;
        }
        const float* in = src + r * stride;
        for (int64_t c = 0; c < d_pad; c += 16)
            _mm256_store_si256(reinterpret_cast<__m256i*>(out + c), bf16x16(in + c, d - c, scale));
    }
}

// K^T as B operand: for each group of 16 keys, [d_pad / 2][16][2] bf16 with element
// (r, j, i) = K[j][2r + i]; keys past `keys` are zero.
void pack_keys(const float* k, int64_t stride, int64_t keys, int64_t keys_pad, int64_t d, int64_t d_pad, uint32_t* dst) {
    const int64_t pairs = d_pad / 2;
    alignas(64) uint16_t row[kAttentionBf16MaxHeadDim];
    for (int64_t j = 0; j < keys_pad; ++j) {
        uint32_t* group = dst + (j / 16) * pairs * 16;
        if (j < keys) {
            for (int64_t c = 0; c < d_pad; c += 16)
                _mm256_store_si256(reinterpret_cast<__m256i*>(row + c), bf16x16(k + j * stride + c, d - c, 1.0f));
        } else {
            std::memset(row, 0, static_cast<size_t>(d_pad) * 2);
        }
        const uint32_t* pair = reinterpret_cast<const uint32_t*>(row);
        for (int64_t r = 0; r < pairs; ++r) group[r * 16 + j % 16] = pair[r];
    }
}

// V as B operand: for each group of 16 head dims, [keys_pad / 2][16][2] bf16 with element
// (r, c, i) = V[2r + i][c]; keys past `keys` and dims past d are zero.
void pack_values(const float* v, int64_t stride, int64_t keys, int64_t keys_pad, int64_t d, int64_t d_pad, uint16_t* dst) {
    for (int64_t c0 = 0; c0 < d_pad; c0 += 16) {
        uint16_t* group = dst + (c0 / 16) * keys_pad * 16;
        const __mmask16 m = bf16::lanes16(d - c0);
        for (int64_t j = 0; j < keys_pad; j += 2) {
            const __m512 a = j < keys ? _mm512_maskz_loadu_ps(m, v + j * stride + c0) : _mm512_setzero_ps();
            const __m512 b = j + 1 < keys ? _mm512_maskz_loadu_ps(m, v + (j + 1) * stride + c0) : _mm512_setzero_ps();
            _mm512_store_si512(group + j * 16, bf16::interleave_pairs(a, b));
        }
    }
}

// C[32 x nr floats, row stride ldc floats] = (accumulate ? C : 0) + A[32 x kd] * B, A row-major
// bf16 with row stride lda elements (zero from kd to kd_pad), B as two 16-column
// pair-interleaved halves kd_pad * 16 elements apart.
inline void block_product(const Bf16BlockKernel& kernel, int64_t kd, int64_t kd_pad, const uint16_t* a, int64_t lda,
                          const uint16_t* b, float* c, int64_t ldc, int nr, bool accumulate) {
    kernel.block(kd, kd_pad, Bf16Rows{a, lda, 32, 16 * lda}, b, c, ldc, 32, nr, accumulate);
}

}  // namespace

int64_t attention_bf16_scratch_floats(int64_t head_dim) {
    const int64_t d_pad = round_up(head_dim, 32);
    return kAttentionTaskQ * d_pad / 2     // Q (bf16)
           + kBlockK * d_pad               // K^T and V (bf16)
           + kGroup * kBlockK              // S
           + kGroup * kBlockK / 2          // P (bf16)
           + kAttentionTaskQ * d_pad       // O
           + 2 * kAttentionTaskQ;          // running max and sum per query
}

void attention_task_bf16(const KernelTable& kt, const ops::AttentionArgs& a, int64_t b, int64_t h, int64_t q0,
                        int64_t nq, float* scratch) {
    const Bf16BlockKernel& kernel = *kt.matrix_bf16;
    kernel.begin();
    const int64_t d = a.head_dim, d_pad = round_up(d, 32);
    const int64_t nq_pad = round_up(nq, kGroup);
    float* cursor = scratch;
    auto take = [&](int64_t floats) {
        float* at = cursor;
        cursor += floats;
        return at;
    };
    auto* q_packed = reinterpret_cast<uint16_t*>(take(kAttentionTaskQ * d_pad / 2));
    auto* k_packed = reinterpret_cast<uint32_t*>(take(kBlockK * d_pad / 2));
    auto* v_packed = reinterpret_cast<uint16_t*>(take(kBlockK * d_pad / 2));
    float* s = take(kGroup * kBlockK);
    auto* p = reinterpret_cast<uint16_t*>(take(kGroup * kBlockK / 2));
    float* o = take(kAttentionTaskQ * d_pad);
    float* row_max = take(kAttentionTaskQ);
    float* row_sum = take(kAttentionTaskQ);

    pack_rows(a.q + (b * a.nq + q0) * a.q_stride + h * d, a.q_stride, nq, nq_pad, d, d_pad, a.scale, q_packed);
    std::fill(o, o + nq_pad * d_pad, 0.0f);
    std::fill(row_max, row_max + nq_pad, -INFINITY);
    std::fill(row_sum, row_sum + nq_pad, 0.0f);
    const float* kbase = a.k + b * a.nk * a.k_stride + h * d;
    const float* vbase = a.v + b * a.nk * a.v_stride + h * d;
    // With a causal mask no key past the task's last query matters.
    const int64_t nk_used = a.causal ? std::min(a.nk, q0 + nq) : a.nk;

    for (int64_t k0 = 0; k0 < nk_used; k0 += kBlockK) {
        const int64_t bk = std::min(kBlockK, nk_used - k0), bk_pad = round_up(bk, 32);
        pack_keys(kbase + k0 * a.k_stride, a.k_stride, bk, bk_pad, d, d_pad, k_packed);
        pack_values(vbase + k0 * a.v_stride, a.v_stride, bk, bk_pad, d, d_pad, v_packed);
        for (int64_t g0 = 0; g0 < nq_pad; g0 += kGroup) {
            if (a.causal && k0 > q0 + std::min<int64_t>(g0 + kGroup, nq) - 1) break;  // all masked
            // S[32 x bk_pad] = Q_group K^T.
            for (int64_t j0 = 0; j0 < bk_pad; j0 += 32) {
                // Keys j0.. and j0 + 16.. are consecutive groups, d_pad * 16 elements apart.
                const auto* b0 = reinterpret_cast<const uint16_t*>(k_packed + (j0 / 16) * (d_pad / 2) * 16);
                block_product(kernel, d, d_pad, q_packed + g0 * d_pad, d_pad, b0, s + j0, kBlockK, 32, false);
            }
            float* og = o + g0 * d_pad;
            // Online softmax along each query's row; P in bf16 for the second product.
            for (int64_t i = 0; i < kGroup; ++i) {
                const float* row = s + i * kBlockK;
                const int64_t qi = g0 + i;
                int64_t valid = bk;
                if (a.causal) valid = std::clamp<int64_t>(q0 + qi - k0 + 1, 0, bk);
                const float new_max = std::max(row_max[qi], row_max_of(row, valid));
                uint16_t* prow = p + i * kBlockK;
                if (new_max == -INFINITY) {  // nothing unmasked yet for this query
                    std::memset(prow, 0, static_cast<size_t>(bk_pad) * 2);
                    continue;
                }
                const float correction = row_max[qi] == -INFINITY ? 0.0f : std::exp(row_max[qi] - new_max);
                row_max[qi] = new_max;
                row_sum[qi] = row_sum[qi] * correction + exp_row_to_bf16(row, valid, bk_pad, new_max, prow);
                if (correction != 1.0f) kt.scale_row(og + i * d_pad, d_pad, correction);
            }
            // O_group[32 x d_pad] += P V; dims c0.. and c0 + 16.. are consecutive groups,
            // bk_pad * 16 elements apart. A last panel of at most 16 live dims skips its second
            // half (those columns of O stay zero and are never read).
            for (int64_t c0 = 0; c0 < d_pad; c0 += 32) {
                const uint16_t* b0 = v_packed + (c0 / 16) * bk_pad * 16;
                const int nr = d - c0 > 16 ? 32 : 16;
                block_product(kernel, bk, bk_pad, p, kBlockK, b0, og + c0, d_pad, nr, true);
            }
        }
    }
    kernel.end();
    for (int64_t i = 0; i < nq; ++i) {
        float* orow = a.out + (b * a.nq + q0 + i) * a.out_stride + h * d;
        const float inv = row_sum[i] > 0.0f ? 1.0f / row_sum[i] : 0.0f;
        for (int64_t c = 0; c < d; ++c) orow[c] = o[i * d_pad + c] * inv;
    }
}

}  // namespace sdn::cpu
