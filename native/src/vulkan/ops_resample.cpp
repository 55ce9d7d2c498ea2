// Resizing, zero padding and embedding lookup: one thread per output value, split over
// planes or rows when a tensor exceeds the device's binding limit.
#include "core/error.h"
#include "vulkan/op_chunks.h"
#include "vulkan/vulkan_ops.h"

namespace sdn::vk {

void interpolate(CommandBatch& b, DevPtr x, int64_t planes, int64_t H, int64_t W, DevPtr y,
                 int64_t Ho, int64_t Wo, InterpMode mode) {
    SDN_REQUIRE(H > 0 && W > 0 && Ho > 0 && Wo > 0, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan interpolate: empty plane");
    const int64_t in = H * W, out = Ho * Wo;
    for_each_chunk(
        planes, chunk_rows(b, {uint64_t(in) * 4, uint64_t(out) * 4}, "interpolate"),
        [&](int64_t p0, int64_t pc) {
            const Window wx = b.window(x.at(p0 * in).span(pc * in), "interpolate input");
            const Window wy = b.window(y.at(p0 * out).span(pc * out), "interpolate output");
            const uint32_t push[] = {
                uint32_t(pc), uint32_t(H),      uint32_t(W),      uint32_t(Ho),
                uint32_t(Wo), wx.skip_floats(), wy.skip_floats(), static_cast<uint32_t>(mode)};
            b.dispatch_flat("interpolate", {wx, wy}, push, sizeof push, flat_groups(pc * out));
        });
}

void pad_zero(CommandBatch& b, DevPtr x, int64_t planes, int64_t H, int64_t W, int64_t top,
              int64_t left, DevPtr y, int64_t Ho, int64_t Wo) {
    SDN_REQUIRE(top >= 0 && left >= 0 && top + H <= Ho && left + W <= Wo, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan pad_zero: the input does not fit the output at the given offset");
    const int64_t in = H * W, out = Ho * Wo;
    for_each_chunk(
        planes, chunk_rows(b, {uint64_t(in) * 4, uint64_t(out) * 4}, "pad_zero"),
        [&](int64_t p0, int64_t pc) {
            const Window wx = b.window(x.at(p0 * in).span(pc * in), "pad input");
            const Window wy = b.window(y.at(p0 * out).span(pc * out), "pad output");
            const uint32_t push[] = {uint32_t(pc),   uint32_t(H),      uint32_t(W),
                                     uint32_t(Ho),   uint32_t(Wo),     uint32_t(top),
                                     uint32_t(left), wx.skip_floats(), wy.skip_floats()};
            b.dispatch_flat("pad_zero", {wx, wy}, push, sizeof push, flat_groups(pc * out));
        });
}

void gather_rows(CommandBatch& b, const VulkanWeight& table, const VulkanBuffer& ids,
                 uint64_t ids_offset, int64_t rows, DevPtr y) {
    const int64_t dim = table.row_elems;
    const int64_t table_chunk = chunk_rows(b, {uint64_t(table.row_bytes)}, "gather_rows");
    for_each_chunk(
        rows, chunk_rows(b, {uint64_t(dim) * 4}, "gather_rows"), [&](int64_t r0, int64_t rc) {
            const Window wi =
                b.window({&ids, ids_offset + 4 * uint64_t(r0), 4 * uint64_t(rc)}, "token ids");
            const Window wy = b.window(y.at(r0 * dim).span(rc * dim), "embedding output");
            for_each_chunk(table.rows, table_chunk, [&](int64_t t0, int64_t tc) {
                const Window wt = b.window({table.buffer.get(), uint64_t(t0 * table.row_bytes),
                                            uint64_t(tc * table.row_bytes)},
                                           "embedding table");
                const uint32_t push[] = {uint32_t(rc),
                                         uint32_t(dim),
                                         wi.skip_bytes / 4,
                                         wt.skip_bytes,
                                         uint32_t(table.row_bytes),
                                         wy.skip_floats(),
                                         uint32_t(t0),
                                         uint32_t(tc)};
                b.dispatch_flat("gather_rows_" + table.type_suffix(), {wi, wt, wy}, push,
                                sizeof push, flat_groups(rc * dim));
            });
        });
}

}  // namespace sdn::vk
