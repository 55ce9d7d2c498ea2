// linear and conv2d: the tiled GEMM shaders (linear.comp, conv2d.comp), one pipeline per
// weight type. Work is split over rows of the input/output and over weight rows whenever a
// tensor exceeds the device's binding limit.
#include "core/error.h"
#include "vulkan/op_chunks.h"
#include "vulkan/vulkan_ops.h"

namespace sdn::vk {

namespace {
constexpr int64_t kTile = 16;
constexpr int64_t kMaxTileRows = 65535 * kTile;  // M tiles go on the y grid dimension

// Rows [n0, n0 + count) of a weight matrix.
Window weight_rows(CommandBatch& b, const VulkanWeight& w, int64_t n0, int64_t count,
                   const char* what) {
    return b.window({w.buffer.get(), uint64_t(n0 * w.row_bytes), uint64_t(count * w.row_bytes)},
                    what);
}

Window bias_window(CommandBatch& b, const VulkanWeight* bias, int64_t n0, int64_t count,
                   const Window& fallback) {
    if (!bias) return fallback;  // an unused binding still needs a valid buffer
    return b.window(
        {bias->buffer.get(), 4 * static_cast<uint64_t>(n0), 4 * static_cast<uint64_t>(count)},
        "bias");
}
}  // namespace

void linear(CommandBatch& b, DevPtr x, int64_t M, int64_t K, const VulkanWeight& w,
            const VulkanWeight* bias, DevPtr y, bool accumulate) {
    SDN_REQUIRE(w.row_elems == K, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan linear: weight rows have " + std::to_string(w.row_elems) +
                    " values, input has " + std::to_string(K));
    const int64_t N = w.rows;
    SDN_REQUIRE(!bias || bias->row_elems == N, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan linear: bias size mismatch");
    const int64_t m_chunk =
        chunk_rows(b, {uint64_t(K) * 4, uint64_t(N) * 4}, "linear", kMaxTileRows);
    const int64_t n_chunk = chunk_rows(b, {uint64_t(w.row_bytes), 4}, "linear", kMaxTileRows);
    const std::string shader = "linear_" + w.type_suffix();
    for_each_chunk(M, m_chunk, [&](int64_t m0, int64_t mc) {
        const Window wx = b.window(x.at(m0 * K).span(mc * K), "linear input");
        const Window wy = b.window(y.at(m0 * N).span(mc * N), "linear output");
        for_each_chunk(N, n_chunk, [&](int64_t n0, int64_t nc) {
            const Window ww = weight_rows(b, w, n0, nc, "linear weight");
            const Window wb = bias_window(b, bias, n0, nc, wx);
            const uint32_t push[] = {uint32_t(mc),     uint32_t(nc),   uint32_t(K),
                                     wx.skip_floats(), ww.skip_bytes,  uint32_t(w.row_bytes),
                                     wy.skip_floats(), uint32_t(N),    uint32_t(n0),
                                     wb.skip_floats(), bias ? 1u : 0u, accumulate ? 1u : 0u};
            b.dispatch(shader, {wx, ww, wb, wy}, push, sizeof push, groups_of(nc, kTile),
                       groups_of(mc, kTile));
        });
    });
}

void conv2d(CommandBatch& b, DevPtr x, int64_t B, int64_t C, int64_t H, int64_t W,
            const VulkanWeight& w, const VulkanWeight* bias, int stride, int pad, DevPtr y) {
    SDN_REQUIRE(w.shape.size() == 4 && w.shape[1] == C && w.shape[2] == w.shape[3] &&
                    (w.shape[2] == 1 || w.shape[2] == 3),
                SDN_ERR_INVALID_ARGUMENT,
                "Vulkan conv2d: weight must be [O, C, k, k] with k 1 or 3");
    SDN_REQUIRE((stride == 1 || stride == 2) && (pad == 0 || pad == 1), SDN_ERR_INVALID_ARGUMENT,
                "Vulkan conv2d: stride must be 1 or 2 and padding 0 or 1");
    const int64_t O = w.rows, k = w.shape[2];
    const int64_t Ho = (H + 2 * pad - k) / stride + 1, Wo = (W + 2 * pad - k) / stride + 1;
    SDN_REQUIRE(Ho > 0 && Wo > 0, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan conv2d: input smaller than the kernel");
    SDN_REQUIRE(!bias || bias->row_elems == O, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan conv2d: bias size mismatch");
    const int64_t image_in = C * H * W, image_out = O * Ho * Wo;
    const int64_t b_chunk = chunk_rows(b, {uint64_t(image_in) * 4, uint64_t(image_out) * 4},
                                       "conv2d", std::max<int64_t>(1, kMaxTileRows / (Ho * Wo)));
    const int64_t o_chunk = chunk_rows(b, {uint64_t(w.row_bytes), 4}, "conv2d", kMaxTileRows);
    const std::string shader = "conv2d_" + w.type_suffix();
    for_each_chunk(B, b_chunk, [&](int64_t b0, int64_t bc) {
        const Window wx = b.window(x.at(b0 * image_in).span(bc * image_in), "conv2d input");
        const Window wy = b.window(y.at(b0 * image_out).span(bc * image_out), "conv2d output");
        for_each_chunk(O, o_chunk, [&](int64_t o0, int64_t oc) {
            const Window ww = weight_rows(b, w, o0, oc, "conv2d weight");
            const Window wb = bias_window(b, bias, o0, oc, wx);
            const uint32_t push[] = {
                uint32_t(bc),          uint32_t(C),      uint32_t(H),      uint32_t(W),
                uint32_t(O),           uint32_t(Ho),     uint32_t(Wo),     uint32_t(k),
                uint32_t(stride),      uint32_t(pad),    wx.skip_floats(), ww.skip_bytes,
                uint32_t(w.row_bytes), wy.skip_floats(), uint32_t(o0),     uint32_t(O),
                wb.skip_floats(),      bias ? 1u : 0u,   uint32_t(oc)};
            b.dispatch(shader, {wx, ww, wb, wy}, push, sizeof push, groups_of(oc, kTile),
                       groups_of(bc * Ho * Wo, kTile));
        });
    });
}

}  // namespace sdn::vk
