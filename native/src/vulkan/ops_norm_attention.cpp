// Group norm, layer norm (one workgroup per group or row, workgroup reductions) and
// flash-style attention, split over images or rows when a tensor exceeds the binding limit.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "vulkan/op_chunks.h"
#include "vulkan/vulkan_ops.h"

namespace sdn::vk {

namespace {
Window vector_window(CommandBatch& b, const VulkanWeight* v, int64_t n, const Window& fallback,
                     const char* what) {
    if (!v) return fallback;
    SDN_REQUIRE(v->row_elems == n && v->rows == 1, SDN_ERR_INVALID_ARGUMENT,
                std::string("Vulkan normalization: ") + what + " must have " + std::to_string(n) +
                    " values");
    return b.window({v->buffer.get(), 0, 4 * static_cast<uint64_t>(n)}, what);
}

// The four bindings of a normalization shader: rows [r0, r0 + count) of x and y (`row`
// values each) and the whole of gamma and beta (`width` values; x again when absent).
struct NormWindows {
    Window x, gamma, beta, y;
};
NormWindows norm_windows(CommandBatch& b, DevPtr x, DevPtr y, int64_t r0, int64_t count,
                         int64_t row, const VulkanWeight* gamma, const VulkanWeight* beta,
                         int64_t width) {
    NormWindows w;
    w.x = b.window(x.at(r0 * row).span(count * row), "normalization input");
    w.y = b.window(y.at(r0 * row).span(count * row), "normalization output");
    w.gamma = vector_window(b, gamma, width, w.x, "gamma");
    w.beta = vector_window(b, beta, width, w.x, "beta");
    return w;
}

uint32_t float_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
}  // namespace

void group_norm(CommandBatch& b, DevPtr x, int64_t B, int64_t C, int64_t HW, int groups, float eps,
                const VulkanWeight* gamma, const VulkanWeight* beta, DevPtr y, bool silu) {
    SDN_REQUIRE(groups > 0 && C % groups == 0, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan group_norm: channels must divide into the groups");
    const int64_t image = C * HW;
    const int64_t b_chunk = chunk_rows(b, {uint64_t(image) * 4}, "group_norm");
    for_each_chunk(B, b_chunk, [&](int64_t b0, int64_t bc) {
        const NormWindows w = norm_windows(b, x, y, b0, bc, image, gamma, beta, C);
        const uint32_t push[] = {uint32_t(C),          uint32_t(HW),      uint32_t(groups),
                                 w.x.skip_floats(),    w.y.skip_floats(), w.gamma.skip_floats(),
                                 w.beta.skip_floats(), gamma ? 1u : 0u,   beta ? 1u : 0u,
                                 silu ? 1u : 0u,       float_bits(eps)};
        b.dispatch_flat("group_norm", {w.x, w.gamma, w.beta, w.y}, push, sizeof push,
                        uint64_t(bc) * groups);
    });
}

void layer_norm(CommandBatch& b, DevPtr x, int64_t rows, int64_t dim, float eps,
                const VulkanWeight* gamma, const VulkanWeight* beta, DevPtr y) {
    const int64_t r_chunk = chunk_rows(b, {uint64_t(dim) * 4}, "layer_norm");
    for_each_chunk(rows, r_chunk, [&](int64_t r0, int64_t rc) {
        const NormWindows w = norm_windows(b, x, y, r0, rc, dim, gamma, beta, dim);
        const uint32_t push[] = {uint32_t(dim),         w.x.skip_floats(),    w.y.skip_floats(),
                                 w.gamma.skip_floats(), w.beta.skip_floats(), gamma ? 1u : 0u,
                                 beta ? 1u : 0u,        float_bits(eps)};
        b.dispatch_flat("layer_norm", {w.x, w.gamma, w.beta, w.y}, push, sizeof push, uint64_t(rc));
    });
}

void attention(CommandBatch& b, const AttentionArgs& a) {
    // attention.comp accumulates at most MAX_HEAD_DIM output columns per invocation; a wider
    // head is written slice by slice, each dispatch recomputing the scores over the whole head.
    constexpr int64_t kMaxHeadDim = 256;
    SDN_REQUIRE(a.head_dim > 0 && a.heads > 0 && a.heads <= 65535 && a.nq > 0 && a.nk > 0, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan attention: bad shape");
    const int64_t width = a.heads * a.head_dim;
    const int64_t b_chunk =
        chunk_rows(b,
                   {uint64_t(a.nq * a.q_stride) * 4, uint64_t(a.nk * a.k_stride) * 4,
                    uint64_t(a.nk * a.v_stride) * 4, uint64_t(a.nq * a.out_stride) * 4},
                   "attention", 65535);
    // The window of `tokens` rows of `stride` values of which the last holds `width`.
    auto rows = [&](DevPtr p, int64_t first, int64_t tokens, int64_t stride, const char* what) {
        return b.window(p.at(first * stride).span((tokens - 1) * stride + width), what);
    };
    for_each_chunk(a.batch, b_chunk, [&](int64_t b0, int64_t bc) {
        const Window wq = rows(a.q, b0 * a.nq, bc * a.nq, a.q_stride, "attention q");
        const Window wk = rows(a.k, b0 * a.nk, bc * a.nk, a.k_stride, "attention k");
        const Window wv = rows(a.v, b0 * a.nk, bc * a.nk, a.v_stride, "attention v");
        const Window wo = rows(a.out, b0 * a.nq, bc * a.nq, a.out_stride, "attention output");
        for (int64_t v0 = 0; v0 < a.head_dim; v0 += kMaxHeadDim) {
            const int64_t vc = std::min(kMaxHeadDim, a.head_dim - v0);
            const uint32_t push[] = {uint32_t(a.nq),       uint32_t(a.nk),         uint32_t(a.heads),
                                     uint32_t(a.head_dim), uint32_t(a.q_stride),   uint32_t(a.k_stride),
                                     uint32_t(a.v_stride), uint32_t(a.out_stride), wq.skip_floats(),
                                     wk.skip_floats(),     wv.skip_floats(),       wo.skip_floats(),
                                     a.causal ? 1u : 0u,   float_bits(a.scale),    uint32_t(v0),
                                     uint32_t(vc)};
            b.dispatch("attention", {wq, wk, wv, wo}, push, sizeof push, groups_of(a.nq, 64),
                       uint32_t(a.heads), uint32_t(bc));
        }
    });
}

}  // namespace sdn::vk
