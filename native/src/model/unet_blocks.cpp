// UNet block forwards, written as the LDM openaimodel / attention modules compute them.
#include "model/unet_blocks.h"

#include <cmath>

#include "cpu/ops.h"

namespace sdn::unet {

float* Workspace::get(int slot, int64_t n) {
    if (static_cast<size_t>(slot) >= buffers_.size()) buffers_.resize(static_cast<size_t>(slot) + 1);
    auto& buf = buffers_[static_cast<size_t>(slot)];
    if (static_cast<int64_t>(buf.size()) < n) {
        buf.clear();
        buf.shrink_to_fit();
        buf.resize(static_cast<size_t>(n));
    }
    return buf.data();
}

int64_t Workspace::bytes() const {
    int64_t total = 0;
    for (const auto& b : buffers_) total += static_cast<int64_t>(b.size() * sizeof(float));
    return total;
}

namespace {

// [B, C, N] -> [B, N, C]
void to_tokens(Context& ctx, const float* x, int64_t B, int64_t C, int64_t N, float* y) {
    ctx.pool().parallel_range(B * N, [&](int64_t begin, int64_t end, int) {
        for (int64_t bn = begin; bn < end; ++bn) {
            const int64_t b = bn / N, n = bn % N;
            const float* src = x + b * C * N + n;
            float* dst = y + bn * C;
            for (int64_t c = 0; c < C; ++c) dst[c] = src[c * N];
        }
    });
}

// y[B, C, N] = tokens[B, N, C]^T + residual[B, C, N]
void from_tokens_add(Context& ctx, const float* tokens, const float* residual, int64_t B,
                     int64_t C, int64_t N, float* y) {
    ctx.pool().parallel_range(B * C, [&](int64_t begin, int64_t end, int) {
        for (int64_t bc = begin; bc < end; ++bc) {
            const int64_t b = bc / C, c = bc % C;
            const float* src = tokens + b * N * C + c;
            const float* res = residual + bc * N;
            float* dst = y + bc * N;
            for (int64_t n = 0; n < N; ++n) dst[n] = src[n * C] + res[n];
        }
    });
}

void linear(Context& ctx, const Linear& l, const float* x, int64_t rows, float* y,
            bool accumulate = false) {
    ops::linear(ctx, x, rows, l.in, l.w, l.has_bias ? &l.b : nullptr, y, accumulate);
}

// h[rows, inner] += to_out(attention(q(x), k(src), v(src))) with src = x for self-attention.
void attention_block(Context& ctx, const Attention& a, const float* x, int64_t B, int64_t nq,
                     const float* src, int64_t nk, float* h, Workspace& ws) {
    const int64_t inner = a.q.out;
    float* q = ws.get(kSlotQ, B * nq * inner);
    float* k = ws.get(kSlotK, B * nk * inner);
    float* v = ws.get(kSlotV, B * nk * inner);
    float* o = ws.get(kSlotAttn, B * nq * inner);
    linear(ctx, a.q, x, B * nq, q);
    linear(ctx, a.k, src, B * nk, k);
    linear(ctx, a.v, src, B * nk, v);
    ops::AttentionArgs args{};
    args.q = q, args.k = k, args.v = v, args.out = o;
    args.batch = B, args.nq = nq, args.nk = nk, args.heads = a.heads, args.head_dim = a.head_dim;
    args.q_stride = inner, args.k_stride = inner, args.v_stride = inner, args.out_stride = inner;
    args.scale = 1.0f / std::sqrt(static_cast<float>(a.head_dim));
    ops::attention(ctx, args);
    linear(ctx, a.out, o, B * nq, h, /*accumulate=*/true);
}

}  // namespace

void resblock_forward(Context& ctx, const ResBlock& r, const UnetConfig& cfg, const float* x,
                      int64_t B, int64_t H, int64_t W, const float* emb_silu, float* y,
                      Workspace& ws) {
    const int64_t HW = H * W;
    float* a = ws.get(kSlotA, B * std::max(r.in_ch, r.out_ch) * HW);
    float* c = ws.get(kSlotB, B * r.out_ch * HW);
    float* e = ws.get(kSlotEmb, B * r.out_ch);
    ops::group_norm(ctx, x, B, r.in_ch, HW, cfg.groups, cfg.resnet_eps, &r.in_norm.gamma,
                    &r.in_norm.beta, a, /*silu=*/true);
    ops::conv2d(ctx, a, B, r.in_ch, H, W, r.in_conv.w, &r.in_conv.b, 1, 1, c);
    linear(ctx, r.emb_proj, emb_silu, B, e);
    ops::add_channel_bias(ctx, c, e, B, r.out_ch, HW);
    ops::group_norm(ctx, c, B, r.out_ch, HW, cfg.groups, cfg.resnet_eps, &r.out_norm.gamma,
                    &r.out_norm.beta, a, /*silu=*/true);
    ops::conv2d(ctx, a, B, r.out_ch, H, W, r.out_conv.w, &r.out_conv.b, 1, 1, y);
    if (r.has_skip) {
        ops::conv2d(ctx, x, B, r.in_ch, H, W, r.skip.w, &r.skip.b, 1, 0, c);
        ops::add(ctx, y, c, 1, B * r.out_ch * HW, 1, y);
    } else {
        ops::add(ctx, y, x, 1, B * r.out_ch * HW, 1, y);
    }
}

void transformer_forward(Context& ctx, const SpatialTransformer& t, const UnetConfig& cfg,
                         const float* x, int64_t B, int64_t H, int64_t W, const float* context,
                         int64_t tokens, float* y, Workspace& ws) {
    const int64_t N = H * W, C = t.channels, D = t.inner;
    float* normed = ws.get(kSlotA, B * C * N);
    float* tok = ws.get(kSlotB, B * N * std::max(C, D));
    float* h = ws.get(kSlotC, B * N * D);
    ops::group_norm(ctx, x, B, C, N, cfg.groups, cfg.transformer_norm_eps, &t.norm.gamma,
                    &t.norm.beta, normed);
    to_tokens(ctx, normed, B, C, N, tok);
    linear(ctx, t.proj_in, tok, B * N, h);
    for (const TransformerBlock& blk : t.blocks) {
        float* n = ws.get(kSlotA, B * N * D);
        ops::layer_norm(ctx, h, B * N, D, cfg.layer_norm_eps, &blk.norm1.gamma, &blk.norm1.beta,
                        n);
        attention_block(ctx, blk.self_attn, n, B, N, n, N, h, ws);
        ops::layer_norm(ctx, h, B * N, D, cfg.layer_norm_eps, &blk.norm2.gamma, &blk.norm2.beta,
                        n);
        attention_block(ctx, blk.cross_attn, n, B, N, context, tokens, h, ws);
        ops::layer_norm(ctx, h, B * N, D, cfg.layer_norm_eps, &blk.norm3.gamma, &blk.norm3.beta,
                        n);
        const int64_t ff = blk.ff_out.in;
        float* f = ws.get(kSlotFF, B * N * 2 * ff);
        float* g = ws.get(kSlotFF2, B * N * ff);
        linear(ctx, blk.ff_in, n, B * N, f);
        ops::geglu(ctx, f, B * N, ff, g);
        linear(ctx, blk.ff_out, g, B * N, h, /*accumulate=*/true);
    }
    tok = ws.get(kSlotB, B * N * std::max(C, D));
    linear(ctx, t.proj_out, h, B * N, tok);
    from_tokens_add(ctx, tok, x, B, C, N, y);
}

void downsample_forward(Context& ctx, const Conv& op, const float* x, int64_t B, int64_t H,
                        int64_t W, float* y) {
    ops::conv2d(ctx, x, B, op.in, H, W, op.w, &op.b, 2, 1, y);
}

void upsample_forward(Context& ctx, const Conv& conv, const float* x, int64_t B, int64_t H,
                      int64_t W, int64_t Ho, int64_t Wo, float* y, Workspace& ws) {
    float* up = ws.get(kSlotA, B * conv.in * Ho * Wo);
    if (Ho == 2 * H && Wo == 2 * W) ops::upsample_nearest2x(ctx, x, B, conv.in, H, W, up);
    else ops::interpolate(ctx, x, B, conv.in, H, W, up, Ho, Wo, ops::Interp::Nearest);
    ops::conv2d(ctx, up, B, conv.in, Ho, Wo, conv.w, &conv.b, 1, 1, y);
}

}  // namespace sdn::unet
