// UNet forward: time embedding, the input path (keeping every block's output as a skip),
// the middle block, the output path (each block takes the channel concat of the running
// activation and the newest skip), then GroupNorm+SiLU and the output conv.
#include "model/unet_model.h"

#include <algorithm>

#include "cpu/ops.h"
#include "model/unet_blocks.h"

namespace sdn {

using namespace unet;

std::unique_ptr<UnetModel> UnetModel::load(const WeightLookup& lookup, const std::string& prefix,
                                           std::shared_ptr<void> keepalive, int64_t num_heads,
                                           int64_t head_dim) {
    WeightBinder binder(lookup, prefix);
    auto m = std::make_unique<UnetModel>();
    m->w_ = bind_unet_weights(binder, num_heads, head_dim);
    m->used_ = binder.used();
    m->keepalive_ = std::move(keepalive);
    return m;
}

namespace {

// Runs the parts of one block in order: x [B, in, H, W] -> out [B, out_ch, H', W'].
// H, W are updated to the output size. up_h/up_w: the size an upsampler must produce.
void run_block(Context& ctx, const UnetBlock& blk, const UnetConfig& cfg, const float* x,
               int64_t B, int64_t& H, int64_t& W, const float* emb_silu, const float* context,
               int64_t tokens, int64_t up_h, int64_t up_w, float* out, float* tmp,
               Workspace& ws) {
    // Ping-pong between out and tmp so the result ends in out.
    int parts = blk.has_stem + blk.has_res + blk.has_attn + blk.has_res2 + blk.has_down + blk.has_up;
    const float* cur = x;
    auto next_buf = [&]() {
        --parts;
        return (parts % 2 == 0) ? out : tmp;
    };
    if (blk.has_stem) {
        float* o = next_buf();
        ops::conv2d(ctx, cur, B, blk.stem.in, H, W, blk.stem.w, &blk.stem.b, 1, 1, o);
        cur = o;
    }
    if (blk.has_res) {
        float* o = next_buf();
        resblock_forward(ctx, blk.res, cfg, cur, B, H, W, emb_silu, o, ws);
        cur = o;
    }
    if (blk.has_attn) {
        float* o = next_buf();
        transformer_forward(ctx, blk.attn, cfg, cur, B, H, W, context, tokens, o, ws);
        cur = o;
    }
    if (blk.has_res2) {
        float* o = next_buf();
        resblock_forward(ctx, blk.res2, cfg, cur, B, H, W, emb_silu, o, ws);
        cur = o;
    }
    if (blk.has_down) {
        float* o = next_buf();
        downsample_forward(ctx, blk.down, cur, B, H, W, o);
        H = (H + 1) / 2, W = (W + 1) / 2;
        cur = o;
    }
    if (blk.has_up) {
        float* o = next_buf();
        upsample_forward(ctx, blk.up, cur, B, H, W, up_h, up_w, o, ws);
        H = up_h, W = up_w;
        cur = o;
    }
}

}  // namespace

void UnetModel::predict_eps(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                            const Tensor& context, Tensor& eps_out) {
    const UnetConfig& cfg = w_.config;
    SDN_REQUIRE(x_in.n_dims() == 4 && x_in.dim(1) == cfg.in_channels, SDN_ERR_INVALID_ARGUMENT,
                "UNet input must be [B, " + std::to_string(cfg.in_channels) + ", h, w], got " +
                    x_in.shape_string());
    const int64_t B = x_in.dim(0), H0 = x_in.dim(2), W0 = x_in.dim(3);
    SDN_REQUIRE(static_cast<int64_t>(timesteps.size()) == B, SDN_ERR_INVALID_ARGUMENT,
                "UNet needs one timestep per batch item");
    SDN_REQUIRE(context.n_dims() == 3 && context.dim(0) == B && context.dim(2) == cfg.context_dim,
                SDN_ERR_INVALID_ARGUMENT,
                "UNet context must be [B, tokens, " + std::to_string(cfg.context_dim) + "], got " +
                    context.shape_string());
    const int64_t tokens = context.dim(1);

    struct HookScope {
        Context& c;
        explicit HookScope(Context& cc) : c(cc) { c.unet_hook(true); }
        ~HookScope() { c.unet_hook(false); }
    } hook(ctx);

    const int total = block_count();
    int step = 0;
    ctx.progress(SDN_STAGE_UNET, step, total);

    // Sizes of every level, to plan the activation buffers before the first kernel runs.
    std::vector<int64_t> skip_h, skip_w, skip_c;
    int64_t max_act = B * cfg.in_channels * H0 * W0;
    {
        int64_t h = H0, w = W0;
        for (const UnetBlock& blk : w_.input_blocks) {
            max_act = std::max(max_act, B * std::max(blk.out_ch, blk.has_res ? blk.res.in_ch : 0) * h * w);
            if (blk.has_down) h = (h + 1) / 2, w = (w + 1) / 2;
            skip_h.push_back(h), skip_w.push_back(w), skip_c.push_back(blk.out_ch);
            max_act = std::max(max_act, B * blk.out_ch * h * w);
        }
    }
    std::vector<std::vector<float>> skips(w_.input_blocks.size());
    for (size_t i = 0; i < skips.size(); ++i)
        skips[i].resize(static_cast<size_t>(B * skip_c[i] * skip_h[i] * skip_w[i]));
    // Output blocks see concat widths and upsampled sizes: bound them generously by the
    // largest concat at the largest resolution.
    int64_t max_cat = 0;
    for (const UnetBlock& blk : w_.output_blocks)
        max_cat = std::max(max_cat, std::max(blk.has_res ? blk.res.in_ch : 0, blk.out_ch));
    max_act = std::max(max_act, B * max_cat * H0 * W0);
    std::vector<float> act(static_cast<size_t>(max_act)), tmp(static_cast<size_t>(max_act)),
        cat(static_cast<size_t>(max_act));
    Workspace ws;

    // Time embedding: sinusoid -> linear -> SiLU -> linear; every resnet applies SiLU first.
    std::vector<float> t_sin(static_cast<size_t>(B * cfg.model_channels));
    std::vector<float> t_hidden(static_cast<size_t>(B * cfg.time_embed_dim));
    std::vector<float> emb(static_cast<size_t>(B * cfg.time_embed_dim));
    ops::timestep_embedding(timesteps.data(), B, cfg.model_channels, t_sin.data());
    ops::linear(ctx, t_sin.data(), B, cfg.model_channels, w_.time_in.w, &w_.time_in.b,
                t_hidden.data());
    ops::silu(ctx, t_hidden.data(), B * cfg.time_embed_dim);
    ops::linear(ctx, t_hidden.data(), B, cfg.time_embed_dim, w_.time_out.w, &w_.time_out.b,
                emb.data());
    ops::silu(ctx, emb.data(), B * cfg.time_embed_dim);

    const float* ctx_data = context.data();
    int64_t H = H0, W = W0;
    const float* cur = x_in.data();
    for (size_t i = 0; i < w_.input_blocks.size(); ++i) {
        run_block(ctx, w_.input_blocks[i], cfg, cur, B, H, W, emb.data(), ctx_data, tokens, 0, 0,
                  skips[i].data(), tmp.data(), ws);
        cur = skips[i].data();
        ctx.progress(SDN_STAGE_UNET, ++step, total);
    }
    run_block(ctx, w_.middle, cfg, cur, B, H, W, emb.data(), ctx_data, tokens, 0, 0, act.data(),
              tmp.data(), ws);
    ctx.progress(SDN_STAGE_UNET, ++step, total);

    size_t skip_index = skips.size();
    for (size_t i = 0; i < w_.output_blocks.size(); ++i) {
        const UnetBlock& blk = w_.output_blocks[i];
        --skip_index;
        const int64_t c_run = blk.res.in_ch - skip_c[skip_index];
        SDN_REQUIRE(skip_h[skip_index] == H && skip_w[skip_index] == W, SDN_ERR_INTERNAL,
                    "UNet skip size mismatch at " + blk.name);
        ops::concat_channels(ctx, act.data(), c_run, skips[skip_index].data(), skip_c[skip_index],
                             B, H * W, cat.data());
        // The upsampler (if any) restores the size of the skip the next block takes.
        const int64_t up_h = skip_index > 0 ? skip_h[skip_index - 1] : H;
        const int64_t up_w = skip_index > 0 ? skip_w[skip_index - 1] : W;
        run_block(ctx, blk, cfg, cat.data(), B, H, W, emb.data(), ctx_data, tokens, up_h, up_w,
                  act.data(), tmp.data(), ws);
        ctx.progress(SDN_STAGE_UNET, ++step, total);
    }

    eps_out.reset({B, cfg.out_channels, H, W});
    ops::group_norm(ctx, act.data(), B, w_.out_norm.channels, H * W, cfg.groups, cfg.resnet_eps,
                    &w_.out_norm.gamma, &w_.out_norm.beta, tmp.data(), /*silu=*/true);
    ops::conv2d(ctx, tmp.data(), B, w_.out_norm.channels, H, W, w_.out_conv.w, &w_.out_conv.b, 1,
                1, eps_out.data());
    ctx.note_scratch_bytes(ws.bytes() +
                           static_cast<int64_t>(sizeof(float)) *
                               (3 * max_act + static_cast<int64_t>(emb.size()) * 2));
    ctx.progress(SDN_STAGE_UNET, ++step, total);
}

}  // namespace sdn
