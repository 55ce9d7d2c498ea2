// Forward passes of the UNet's building blocks on the CPU kernels: the resnet block with its
// time embedding, the spatial transformer (self-attention, cross-attention, GEGLU), and the
// down/upsampling convs. Activations are NCHW float32; intermediates live in a Workspace
// that one evaluation reuses from block to block.
#pragma once

#include <cstdint>
#include <vector>

#include "core/context.h"
#include "model/unet_weights.h"

namespace sdn::unet {

// Grow-only scratch buffers addressed by slot. A pointer from get() stays valid until the
// same slot is asked for more elements than it holds.
class Workspace {
public:
    float* get(int slot, int64_t n);
    int64_t bytes() const;

private:
    std::vector<std::vector<float>> buffers_;
};

// The slots the blocks use (each block may use all of them; callers keep their own tensors
// outside the workspace).
enum Slot : int {
    kSlotA = 0,
    kSlotB,
    kSlotC,
    kSlotQ,
    kSlotK,
    kSlotV,
    kSlotAttn,
    kSlotFF,
    kSlotFF2,
    kSlotEmb,
    kSlotCount
};

// y [B, out_ch, H, W] = ResBlock(x [B, in_ch, H, W], emb_silu [B, emb_dim]). y != x.
void resblock_forward(Context& ctx, const ResBlock& r, const UnetConfig& cfg, const float* x,
                      int64_t B, int64_t H, int64_t W, const float* emb_silu, float* y,
                      Workspace& ws);

// y [B, C, H, W] = SpatialTransformer(x, context [B, tokens, context_dim]). y != x.
void transformer_forward(Context& ctx, const SpatialTransformer& t, const UnetConfig& cfg,
                         const float* x, int64_t B, int64_t H, int64_t W, const float* context,
                         int64_t tokens, float* y, Workspace& ws);

// 3x3 stride-2 conv: y [B, C, ceil(H/2), ceil(W/2)].
void downsample_forward(Context& ctx, const Conv& op, const float* x, int64_t B, int64_t H,
                        int64_t W, float* y);

// Nearest resize to [Ho, Wo] (2H, 2W normally; the skip's size when it is odd) then 3x3 conv.
void upsample_forward(Context& ctx, const Conv& conv, const float* x, int64_t B, int64_t H,
                      int64_t W, int64_t Ho, int64_t Wo, float* y, Workspace& ws);

}  // namespace sdn::unet
