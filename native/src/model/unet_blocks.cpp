// UNet block forwards, written as the LDM openaimodel / attention modules compute them.
#include "model/unet_blocks.h"

#include <cmath>

#include "core/backend.h"

namespace sdn::unet {

namespace {

void linear(Backend& be, const Linear& l, const TensorView& x, const TensorView& y, Workspace& ws,
            bool accumulate = false) {
    be.linear(x, l.w, l.has_bias ? &l.b : nullptr, y, accumulate);
    if (l.has_lora) {
        const TensorView t = ws.take(kSlotLora, {x.elements() / l.in, l.lora_down.shape[0]});
        be.linear(x, l.lora_down, nullptr, t, false);
        be.linear(t, l.lora_up, nullptr, y, /*accumulate=*/true);
    }
}

// h[B, nq, inner] += to_out(attention(q(x), k(src), v(src))) with src = x for self-attention.
void attention_block(Backend& be, const Attention& a, const TensorView& x, const TensorView& src,
                     const TensorView& h, Workspace& ws) {
    const int64_t inner = a.q.out, B = x.dim(0), nq = x.dim(1), nk = src.dim(1);
    const TensorView q = ws.take(kSlotQ, {B, nq, inner});
    const TensorView k = ws.take(kSlotK, {B, nk, inner});
    const TensorView v = ws.take(kSlotV, {B, nk, inner});
    const TensorView o = ws.take(kSlotAttn, {B, nq, inner});
    linear(be, a.q, x, q, ws);
    linear(be, a.k, src, k, ws);
    linear(be, a.v, src, v, ws);
    AttentionOp op;
    op.q = q, op.k = k, op.v = v, op.out = o;
    op.heads = a.heads;
    op.scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
    be.attention(op);
    linear(be, a.out, o, h, ws, /*accumulate=*/true);
}

}  // namespace

void resblock_forward(Context& ctx, const ResBlock& r, const UnetConfig& cfg,
                      const TensorView& x, const TensorView& emb_silu, const TensorView& y,
                      Workspace& ws) {
    Backend& be = ctx.backend();
    const int64_t B = x.dim(0), H = x.dim(2), W = x.dim(3);
    // Slot A is sized for the wider of the two norms up front, as one buffer serves both.
    ws.reserve(kSlotA, B * std::max(r.in_ch, r.out_ch) * H * W * int64_t(sizeof(float)));
    const TensorView a_in = ws.take(kSlotA, {B, r.in_ch, H, W});
    const TensorView c = ws.take(kSlotB, {B, r.out_ch, H, W});
    const TensorView e = ws.take(kSlotEmb, {B, r.out_ch});
    be.group_norm(x, cfg.groups, cfg.resnet_eps, &r.in_norm.gamma, &r.in_norm.beta, a_in,
                  /*silu=*/true);
    be.conv2d(a_in, r.in_conv.w, &r.in_conv.b, 1, 1, c);
    linear(be, r.emb_proj, emb_silu, e, ws);
    be.add_channel_bias(c, e);
    const TensorView a_out = ws.take(kSlotA, {B, r.out_ch, H, W});
    be.group_norm(c, cfg.groups, cfg.resnet_eps, &r.out_norm.gamma, &r.out_norm.beta, a_out,
                  /*silu=*/true);
    be.conv2d(a_out, r.out_conv.w, &r.out_conv.b, 1, 1, y);
    if (r.has_skip) {
        be.conv2d(x, r.skip.w, &r.skip.b, 1, 0, c);
        be.add(y, c, y);
    } else {
        be.add(y, x, y);
    }
}

void transformer_forward(Context& ctx, const SpatialTransformer& t, const UnetConfig& cfg,
                         const TensorView& x, const TensorView& context, const TensorView& y,
                         Workspace& ws) {
    Backend& be = ctx.backend();
    const int64_t B = x.dim(0), N = x.dim(2) * x.dim(3), C = t.channels, D = t.inner;
    const TensorView normed = ws.take(kSlotA, {B, C, x.dim(2), x.dim(3)});
    ws.reserve(kSlotB, B * N * std::max(C, D) * int64_t(sizeof(float)));
    const TensorView tok = ws.take(kSlotB, {B, N, C});
    const TensorView h = ws.take(kSlotC, {B, N, D});
    be.group_norm(x, cfg.groups, cfg.transformer_norm_eps, &t.norm.gamma, &t.norm.beta, normed,
                  /*silu=*/false);
    be.channels_to_tokens(normed.reshaped({B, C, N}), tok);
    linear(be, t.proj_in, tok, h, ws);
    for (const TransformerBlock& blk : t.blocks) {
        const TensorView n = ws.take(kSlotA, {B, N, D});
        be.layer_norm(h, cfg.layer_norm_eps, &blk.norm1.gamma, &blk.norm1.beta, n);
        attention_block(be, blk.self_attn, n, n, h, ws);
        be.layer_norm(h, cfg.layer_norm_eps, &blk.norm2.gamma, &blk.norm2.beta, n);
        attention_block(be, blk.cross_attn, n, context, h, ws);
        be.layer_norm(h, cfg.layer_norm_eps, &blk.norm3.gamma, &blk.norm3.beta, n);
        const int64_t ff = blk.ff_out.in;
        const TensorView f = ws.take(kSlotFF, {B, N, 2 * ff});
        const TensorView g = ws.take(kSlotFF2, {B, N, ff});
        linear(be, blk.ff_in, n, f, ws);
        be.geglu(f, g);
        linear(be, blk.ff_out, g, h, ws, /*accumulate=*/true);
    }
    const TensorView out_tok = ws.take(kSlotB, {B, N, C});
    linear(be, t.proj_out, h, out_tok, ws);
    be.tokens_to_channels(out_tok, x.reshaped({B, C, N}), y.reshaped({B, C, N}));
}

void downsample_forward(Context& ctx, const Conv& op, const TensorView& x, const TensorView& y) {
    ctx.backend().conv2d(x, op.w, &op.b, 2, 1, y);
}

void upsample_forward(Context& ctx, const Conv& conv, const TensorView& x, const TensorView& y,
                      Workspace& ws) {
    Backend& be = ctx.backend();
    const int64_t B = x.dim(0), H = x.dim(2), W = x.dim(3), Ho = y.dim(2), Wo = y.dim(3);
    const TensorView up = ws.take(kSlotA, {B, conv.in, Ho, Wo});
    if (Ho == 2 * H && Wo == 2 * W) be.upsample_nearest2x(x, up);
    else be.interpolate(x, up, InterpMode::Nearest);
    be.conv2d(up, conv.w, &conv.b, 1, 1, y);
}

}  // namespace sdn::unet
