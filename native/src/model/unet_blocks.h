// Forward passes of the UNet's building blocks through the backend interface: the resnet
// block with its time embedding, the spatial transformer (self-attention, cross-attention,
// GEGLU), and the down/upsampling convs. Activations are NCHW float32 tensors on the
// context's backend; intermediates live in an ActivationArena (the Workspace) that one
// evaluation reuses from block to block.
#pragma once

#include <cstdint>
#include <vector>

#include "core/activation_arena.h"
#include "core/context.h"
#include "model/unet_weights.h"

namespace sdn::unet {

using Workspace = ActivationArena;

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
    kSlotLora,  // x·downᵀ of a LoRA side path
    kSlotCount
};

// y [B, out_ch, H, W] = ResBlock(x [B, in_ch, H, W], emb_silu [B, emb_dim]). y != x.
void resblock_forward(Context& ctx, const ResBlock& r, const UnetConfig& cfg,
                      const TensorView& x, const TensorView& emb_silu, const TensorView& y,
                      Workspace& ws);

// y [B, C, H, W] = SpatialTransformer(x, context [B, tokens, context_dim]). y != x.
void transformer_forward(Context& ctx, const SpatialTransformer& t, const UnetConfig& cfg,
                         const TensorView& x, const TensorView& context, const TensorView& y,
                         Workspace& ws);

// 3x3 stride-2 conv: x [B, C, H, W] -> y [B, C, ceil(H/2), ceil(W/2)].
void downsample_forward(Context& ctx, const Conv& op, const TensorView& x, const TensorView& y);

// Nearest resize of x [B, C, H, W] to y's [Ho, Wo] (2H, 2W normally; the skip's size when
// it is odd) then 3x3 conv.
void upsample_forward(Context& ctx, const Conv& conv, const TensorView& x, const TensorView& y,
                      Workspace& ws);

}  // namespace sdn::unet
