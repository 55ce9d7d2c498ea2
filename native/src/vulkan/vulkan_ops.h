// The ops the SD models are built from, on a Vulkan device: the same meanings as cpu/ops.h,
// on device buffers. Each call records dispatches into a CommandBatch (nothing runs until the
// batch is submitted), splitting its work where a tensor exceeds the device's binding limit.
// Activations are f32; weights are VulkanWeights in their stored type.
#pragma once

#include <cstdint>

#include "core/backend.h"
#include "vulkan/command_batch.h"
#include "vulkan/vulkan_weight.h"

namespace sdn::vk {

// A position in a device buffer of f32 values (offset in bytes).
struct DevPtr {
    const VulkanBuffer* buffer = nullptr;
    uint64_t offset = 0;
    DevPtr at(int64_t floats) const { return {buffer, offset + 4 * static_cast<uint64_t>(floats)}; }
    Span span(int64_t floats) const { return {buffer, offset, 4 * static_cast<uint64_t>(floats)}; }
};

void linear(CommandBatch& b, DevPtr x, int64_t M, int64_t K, const VulkanWeight& w,
            const VulkanWeight* bias, DevPtr y, bool accumulate = false);
void conv2d(CommandBatch& b, DevPtr x, int64_t B, int64_t C, int64_t H, int64_t W,
            const VulkanWeight& w, const VulkanWeight* bias, int stride, int pad, DevPtr y);
void group_norm(CommandBatch& b, DevPtr x, int64_t B, int64_t C, int64_t HW, int groups, float eps,
                const VulkanWeight* gamma, const VulkanWeight* beta, DevPtr y, bool silu = false);
void layer_norm(CommandBatch& b, DevPtr x, int64_t rows, int64_t dim, float eps,
                const VulkanWeight* gamma, const VulkanWeight* beta, DevPtr y);

struct AttentionArgs {
    DevPtr q, k, v, out;
    int64_t batch, nq, nk, heads, head_dim;
    int64_t q_stride, k_stride, v_stride, out_stride;
    float scale;
    bool causal = false;
};
void attention(CommandBatch& b, const AttentionArgs& args);

// The shaders read Activation and InterpMode (core/backend.h) by their values, in order.
void activation(CommandBatch& b, DevPtr x, int64_t n, Activation kind);  // in place
void geglu(CommandBatch& b, DevPtr x, int64_t rows, int64_t d, DevPtr y);
void add(CommandBatch& b, DevPtr a, DevPtr bv, int64_t outer, int64_t inner, int64_t b_outer,
         DevPtr y);
void mul(CommandBatch& b, DevPtr a, DevPtr bv, int64_t outer, int64_t inner, int64_t b_outer,
         DevPtr y);
void add_channel_bias(CommandBatch& b, DevPtr x, DevPtr v, int64_t B, int64_t C, int64_t HW);
void upsample_nearest2x(CommandBatch& b, DevPtr x, int64_t B, int64_t C, int64_t H, int64_t W,
                        DevPtr y);
void concat_channels(CommandBatch& b, DevPtr a, int64_t C1, DevPtr bv, int64_t C2, int64_t B,
                     int64_t HW, DevPtr y);
// y[b, c, r] = x[b, r, c] (+ residual[b, c, r] when residual.buffer is set) for x
// [B, rows, cols]: [B, HW, C] tokens <-> [B, C, HW] channels.
void transpose(CommandBatch& b, DevPtr x, int64_t B, int64_t rows, int64_t cols, DevPtr y,
               DevPtr residual = {});
// Resizing planes [H, W] -> [Ho, Wo] as torch's interpolate (align_corners=False).
void interpolate(CommandBatch& b, DevPtr x, int64_t planes, int64_t H, int64_t W, DevPtr y,
                 int64_t Ho, int64_t Wo, InterpMode mode);
// Planes [H, W] at (top, left) of zero planes [Ho, Wo].
void pad_zero(CommandBatch& b, DevPtr x, int64_t planes, int64_t H, int64_t W, int64_t top,
              int64_t left, DevPtr y, int64_t Ho, int64_t Wo);
// y[r, :] = table[ids[r], :] for ids already on the device (int32, byte offset ids_offset).
void gather_rows(CommandBatch& b, const VulkanWeight& table, const VulkanBuffer& ids,
                 uint64_t ids_offset, int64_t rows, DevPtr y);
void timestep_embedding(CommandBatch& b, DevPtr t, int64_t B, int64_t dim, DevPtr out,
                        float max_period = 10000.0f);
// Copies n values converting between f32 and 16-bit storage (F16 or BF16; F32 to F32 copies).
// One side is f32; 16-bit positions (bytes) must be multiples of 4.
void convert(CommandBatch& b, const Span& src, DType src_type, const Span& dst, DType dst_type,
             int64_t n);

}  // namespace sdn::vk
