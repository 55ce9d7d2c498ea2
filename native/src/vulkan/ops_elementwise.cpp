// Element-wise and data-movement ops: one thread per output value, split into pieces when a
// tensor exceeds the device's binding limit.
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "vulkan/op_chunks.h"
#include "vulkan/vulkan_ops.h"

namespace sdn::vk {

namespace {
void binary(CommandBatch& b, DevPtr a, DevPtr bv, int64_t outer, int64_t inner, int64_t b_outer,
            DevPtr y, bool multiply) {
    SDN_REQUIRE(b_outer == 1 || b_outer == outer, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan add/mul: b must have 1 or `outer` rows");
    const bool broadcast = b_outer == 1 && outer > 1;
    const uint64_t row = uint64_t(inner) * 4;
    const int64_t chunk = chunk_rows(b, {row, broadcast ? 0 : row}, multiply ? "mul" : "add");
    for_each_chunk(outer, chunk, [&](int64_t r0, int64_t rc) {
        const Window wa = b.window(a.at(r0 * inner).span(rc * inner), "a");
        const Window wb = broadcast ? b.window(bv.span(inner), "b")
                                    : b.window(bv.at(r0 * inner).span(rc * inner), "b");
        const Window wy = b.window(y.at(r0 * inner).span(rc * inner), "y");
        const uint32_t push[] = {uint32_t(rc),      uint32_t(inner),  broadcast ? 1u : 0u,
                                 wa.skip_floats(),  wb.skip_floats(), wy.skip_floats(),
                                 multiply ? 1u : 0u};
        b.dispatch_flat("binary", {wa, wb, wy}, push, sizeof push, flat_groups(rc * inner));
    });
}
}  // namespace

void activation(CommandBatch& b, DevPtr x, int64_t n, Activation kind) {
    for_each_chunk(n, chunk_rows(b, {4}, "activation"), [&](int64_t i0, int64_t count) {
        const Window wx = b.window(x.at(i0).span(count), "activation input");
        const uint32_t push[] = {uint32_t(count), wx.skip_floats(), static_cast<uint32_t>(kind)};
        b.dispatch_flat("unary", {wx}, push, sizeof push, flat_groups(count));
    });
}

void geglu(CommandBatch& b, DevPtr x, int64_t rows, int64_t d, DevPtr y) {
    for_each_chunk(rows, chunk_rows(b, {uint64_t(d) * 8}, "geglu"), [&](int64_t r0, int64_t rc) {
        const Window wx = b.window(x.at(r0 * 2 * d).span(rc * 2 * d), "geglu input");
        const Window wy = b.window(y.at(r0 * d).span(rc * d), "geglu output");
        const uint32_t push[] = {uint32_t(rc), uint32_t(d), wx.skip_floats(), wy.skip_floats()};
        b.dispatch_flat("geglu", {wx, wy}, push, sizeof push, flat_groups(rc * d));
    });
}

void add(CommandBatch& b, DevPtr a, DevPtr bv, int64_t outer, int64_t inner, int64_t b_outer,
         DevPtr y) {
    binary(b, a, bv, outer, inner, b_outer, y, false);
}
void mul(CommandBatch& b, DevPtr a, DevPtr bv, int64_t outer, int64_t inner, int64_t b_outer,
         DevPtr y) {
    binary(b, a, bv, outer, inner, b_outer, y, true);
}

void add_channel_bias(CommandBatch& b, DevPtr x, DevPtr v, int64_t B, int64_t C, int64_t HW) {
    for_each_chunk(
        B * C, chunk_rows(b, {uint64_t(HW) * 4}, "add_channel_bias"), [&](int64_t p0, int64_t pc) {
            const Window wx = b.window(x.at(p0 * HW).span(pc * HW), "channel bias input");
            const Window wv = b.window(v.at(p0).span(pc), "channel bias values");
            const uint32_t push[] = {uint32_t(pc), uint32_t(HW), wx.skip_floats(),
                                     wv.skip_floats()};
            b.dispatch_flat("channel_bias", {wx, wv}, push, sizeof push, flat_groups(pc * HW));
        });
}

void upsample_nearest2x(CommandBatch& b, DevPtr x, int64_t B, int64_t C, int64_t H, int64_t W,
                        DevPtr y) {
    const int64_t plane = H * W;
    for_each_chunk(
        B * C, chunk_rows(b, {uint64_t(plane) * 16}, "upsample"), [&](int64_t p0, int64_t pc) {
            const Window wx = b.window(x.at(p0 * plane).span(pc * plane), "upsample input");
            const Window wy =
                b.window(y.at(p0 * plane * 4).span(pc * plane * 4), "upsample output");
            const uint32_t push[] = {uint32_t(pc), uint32_t(H), uint32_t(W), wx.skip_floats(),
                                     wy.skip_floats()};
            b.dispatch_flat("upsample_nearest", {wx, wy}, push, sizeof push,
                            flat_groups(pc * plane * 4));
        });
}

void concat_channels(CommandBatch& b, DevPtr a, int64_t C1, DevPtr bv, int64_t C2, int64_t B,
                     int64_t HW, DevPtr y) {
    const int64_t out = (C1 + C2) * HW;
    for_each_chunk(B, chunk_rows(b, {uint64_t(out) * 4}, "concat"), [&](int64_t i0, int64_t ic) {
        const Window wa = b.window(a.at(i0 * C1 * HW).span(ic * C1 * HW), "concat a");
        const Window wb = b.window(bv.at(i0 * C2 * HW).span(ic * C2 * HW), "concat b");
        const Window wy = b.window(y.at(i0 * out).span(ic * out), "concat output");
        const uint32_t push[] = {uint32_t(ic),     uint32_t(C1),     uint32_t(C2),    uint32_t(HW),
                                 wa.skip_floats(), wb.skip_floats(), wy.skip_floats()};
        b.dispatch_flat("concat", {wa, wb, wy}, push, sizeof push, flat_groups(ic * out));
    });
}

void transpose(CommandBatch& b, DevPtr x, int64_t B, int64_t rows, int64_t cols, DevPtr y,
               DevPtr residual) {
    const int64_t image = rows * cols;
    for_each_chunk(
        B, chunk_rows(b, {uint64_t(image) * 4}, "transpose"), [&](int64_t i0, int64_t ic) {
            const Window wx = b.window(x.at(i0 * image).span(ic * image), "transpose input");
            const Window wy = b.window(y.at(i0 * image).span(ic * image), "transpose output");
            const Window wr = residual.buffer
                                  ? b.window(residual.at(i0 * image).span(ic * image), "residual")
                                  : wx;
            const uint32_t push[] = {
                uint32_t(ic),     uint32_t(rows),   uint32_t(cols),           wx.skip_floats(),
                wy.skip_floats(), wr.skip_floats(), residual.buffer ? 1u : 0u};
            b.dispatch_flat("transpose", {wx, wr, wy}, push, sizeof push, flat_groups(ic * image));
        });
}

void timestep_embedding(CommandBatch& b, DevPtr t, int64_t B, int64_t dim, DevPtr out,
                        float max_period) {
    const Window wt = b.window(t.span(B), "timesteps");
    const Window wo = b.window(out.span(B * dim), "timestep embedding");
    const float log_period = std::log(max_period);
    uint32_t log_bits;
    std::memcpy(&log_bits, &log_period, 4);
    const uint32_t push[] = {uint32_t(B), uint32_t(dim), wt.skip_floats(), wo.skip_floats(),
                             log_bits};
    b.dispatch_flat("timestep_embedding", {wt, wo}, push, sizeof push, flat_groups(B * dim));
}

void convert(CommandBatch& b, const Span& src, DType src_type, const Span& dst, DType dst_type,
             int64_t n) {
    // The shader's modes: which side is 16-bit and how (see convert.comp).
    uint32_t mode;
    if (src_type == DType::F32 && dst_type == DType::F16)
        mode = 0;
    else if (src_type == DType::F16 && dst_type == DType::F32)
        mode = 1;
    else if (src_type == DType::F32 && dst_type == DType::BF16)
        mode = 2;
    else if (src_type == DType::BF16 && dst_type == DType::F32)
        mode = 3;
    else if (src_type == DType::F32 && dst_type == DType::F32)
        mode = 4;
    else
        fail(SDN_ERR_UNSUPPORTED, std::string("Vulkan copy: ") + dtype_traits(src_type).name +
                                      " to " + dtype_traits(dst_type).name + " is not supported");
    const uint64_t src_size = src_type == DType::F32 ? 4 : 2,
                   dst_size = dst_type == DType::F32 ? 4 : 2;
    SDN_REQUIRE((src_size == 4 || src.offset % 4 == 0) && (dst_size == 4 || dst.offset % 4 == 0),
                SDN_ERR_INVALID_ARGUMENT,
                "Vulkan copy: 16-bit data must start on a 4-byte boundary");
    // Pieces hold an even count so 16-bit values stay paired in words.
    const int64_t chunk = std::max<int64_t>(chunk_rows(b, {4}, "copy") & ~int64_t(1), 2);
    for_each_chunk(n, chunk, [&](int64_t i0, int64_t count) {
        const Window ws =
            b.window({src.buffer, src.offset + src_size * i0, src_size * count}, "copy source");
        const Window wd = b.window({dst.buffer, dst.offset + dst_size * i0, dst_size * count},
                                   "copy destination");
        // Skips in the unit the shader indexes: floats for f32, 16-bit values otherwise.
        const uint32_t push[] = {uint32_t(count), ws.skip_bytes / uint32_t(src_size),
                                 wd.skip_bytes / uint32_t(dst_size), mode};
        b.dispatch_flat("convert", {ws, wd}, push, sizeof push, flat_groups((count + 1) / 2));
    });
}

}  // namespace sdn::vk
