// UNet forward: time embedding, the input path (keeping every block's output as a skip),
// the middle block, the output path (each block takes the channel concat of the running
// activation and the newest skip), then GroupNorm+SiLU and the output conv.
#include "model/unet_model.h"

#include <algorithm>

#include "core/backend.h"
#include "model/sdxl_adm.h"
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
    for (const std::string& name : m->used_) m->resident_.push_back(lookup(name));
    m->keepalive_ = std::move(keepalive);
    return m;
}

void UnetModel::set_architecture(sdn_arch arch, sdn_prediction prediction) {
    const bool sdxl = arch == SDN_ARCH_SDXL || arch == SDN_ARCH_SDXL_REFINER;
    latent_format_ = sdxl ? LatentFormat::Sdxl : LatentFormat::Sd15;
    refiner_ = arch == SDN_ARCH_SDXL_REFINER;
    prediction_ = prediction == SDN_PREDICTION_V ? SDN_PREDICTION_V : SDN_PREDICTION_EPS;
}

void UnetModel::encode_adm(const AdmInput& in, float* y) const {
    SDN_REQUIRE(adm_channels() > 0, SDN_ERR_INTERNAL, "this UNet takes no ADM vector");
    sdxl_adm_vector(in, adm_channels(), refiner_, y);
}

void UnetModel::predict_eps(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                            const Tensor& context, Tensor& eps_out) {
    predict(ctx, x_in, timesteps, context, nullptr, eps_out);
}

namespace {

// A view of `shape` at the start of a tensor allocated for the largest shape it will hold.
TensorView shaped(const DeviceTensor& storage, const std::vector<int64_t>& shape) {
    return TensorView::make(storage.view().buffer, storage.view().offset, DType::F32, shape);
}

// Runs the parts of one block in order: x [B, in, H, W] -> out [B, out_ch, H', W'].
// up_h/up_w: the size an upsampler must produce. Returns the view of out holding the result.
TensorView run_block(Context& ctx, const UnetBlock& blk, const UnetConfig& cfg,
                     const TensorView& x, const TensorView& emb_silu, const TensorView& context,
                     int64_t up_h, int64_t up_w, const DeviceTensor& out,
                     const DeviceTensor& tmp, Workspace& ws) {
    // Ping-pong between out and tmp so the result ends in out.
    int parts = blk.has_stem + blk.has_res + blk.has_attn + blk.has_res2 + blk.has_down + blk.has_up;
    const int64_t B = x.dim(0);
    int64_t H = x.dim(2), W = x.dim(3);
    TensorView cur = x;
    auto next_buf = [&](int64_t channels) {
        --parts;
        return shaped((parts % 2 == 0) ? out : tmp, {B, channels, H, W});
    };
    if (blk.has_stem) {
        const TensorView o = next_buf(blk.stem.out);
        ctx.backend().conv2d(cur, blk.stem.w, &blk.stem.b, 1, 1, o);
        cur = o;
    }
    if (blk.has_res) {
        const TensorView o = next_buf(blk.res.out_ch);
        resblock_forward(ctx, blk.res, cfg, cur, emb_silu, o, ws);
        cur = o;
    }
    if (blk.has_attn) {
        const TensorView o = next_buf(blk.attn.channels);
        transformer_forward(ctx, blk.attn, cfg, cur, context, o, ws);
        cur = o;
    }
    if (blk.has_res2) {
        const TensorView o = next_buf(blk.res2.out_ch);
        resblock_forward(ctx, blk.res2, cfg, cur, emb_silu, o, ws);
        cur = o;
    }
    if (blk.has_down) {
        H = (H + 1) / 2, W = (W + 1) / 2;
        const TensorView o = next_buf(blk.down.out);
        downsample_forward(ctx, blk.down, cur, o);
        cur = o;
    }
    if (blk.has_up) {
        H = up_h, W = up_w;
        const TensorView o = next_buf(blk.up.out);
        upsample_forward(ctx, blk.up, cur, o, ws);
        cur = o;
    }
    return cur;
}

}  // namespace

void UnetModel::predict(Context& ctx, const Tensor& x_in, const std::vector<float>& timesteps,
                        const Tensor& context, const Tensor* y, Tensor& eps_out) {
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
    SDN_REQUIRE(!w_.has_label_emb || (y && y->n_dims() == 2 && y->dim(0) == B &&
                                      y->dim(1) == cfg.adm_in_channels),
                SDN_ERR_INVALID_ARGUMENT,
                "this UNet needs its ADM vector y [B, " + std::to_string(cfg.adm_in_channels) + "]" +
                    (y ? ", got " + y->shape_string() : std::string(", got none")));

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
    // Latents and conditioning cross into the backend here and eps comes back at the end:
    // between the two everything stays on the backend.
    Backend& be = ctx.backend();
    be.make_resident(resident_, residency_);
    DeviceTensor x_dev = be.tensor(x_in.shape(), "UNet input");
    be.upload(x_dev, x_in.data());
    DeviceTensor ctx_dev = be.tensor(context.shape(), "UNet conditioning");
    be.upload(ctx_dev, context.data());

    std::vector<DeviceTensor> skips;
    for (size_t i = 0; i < w_.input_blocks.size(); ++i)
        skips.push_back(be.tensor({B, skip_c[i], skip_h[i], skip_w[i]}, "UNet skip activations"));
    // Output blocks see concat widths and upsampled sizes: bound them generously by the
    // largest concat at the largest resolution.
    int64_t max_cat = 0;
    for (const UnetBlock& blk : w_.output_blocks)
        max_cat = std::max(max_cat, std::max(blk.has_res ? blk.res.in_ch : 0, blk.out_ch));
    max_act = std::max(max_act, B * max_cat * H0 * W0);
    const DeviceTensor act = be.tensor({max_act}, "UNet activations");
    const DeviceTensor tmp = be.tensor({max_act}, "UNet activations");
    const DeviceTensor cat = be.tensor({max_act}, "UNet activations");
    Workspace ws(be, "UNet scratch");

    // Time embedding: sinusoid -> linear -> SiLU -> linear; every resnet applies SiLU first.
    const DeviceTensor t_sin = be.tensor({B, cfg.model_channels}, "UNet time embedding");
    const DeviceTensor t_hidden = be.tensor({B, cfg.time_embed_dim}, "UNet time embedding");
    const DeviceTensor emb = be.tensor({B, cfg.time_embed_dim}, "UNet time embedding");
    be.timestep_embedding(timesteps, 10000.0f, t_sin);
    be.linear(t_sin, w_.time_in.w, &w_.time_in.b, t_hidden, false);
    be.activation(Activation::Silu, t_hidden);
    be.linear(t_hidden, w_.time_out.w, &w_.time_out.b, emb, false);
    if (w_.has_label_emb) {
        // SDXL: emb += label_emb(y) = linear(SiLU(linear(y))).
        const DeviceTensor y_dev = be.tensor(y->shape(), "UNet ADM vector");
        be.upload(y_dev, y->data());
        be.linear(y_dev, w_.label_in.w, &w_.label_in.b, t_hidden, false);
        be.activation(Activation::Silu, t_hidden);
        be.linear(t_hidden, w_.label_out.w, &w_.label_out.b, emb, /*accumulate=*/true);
    }
    be.activation(Activation::Silu, emb);

    TensorView cur = x_dev;
    for (size_t i = 0; i < w_.input_blocks.size(); ++i) {
        cur = run_block(ctx, w_.input_blocks[i], cfg, cur, emb, ctx_dev, 0, 0, skips[i], tmp, ws);
        be.submit();
        ctx.progress(SDN_STAGE_UNET, ++step, total);
    }
    cur = run_block(ctx, w_.middle, cfg, cur, emb, ctx_dev, 0, 0, act, tmp, ws);
    be.submit();
    ctx.progress(SDN_STAGE_UNET, ++step, total);

    size_t skip_index = skips.size();
    for (size_t i = 0; i < w_.output_blocks.size(); ++i) {
        const UnetBlock& blk = w_.output_blocks[i];
        --skip_index;
        const int64_t H = cur.dim(2), W = cur.dim(3);
        const int64_t c_run = blk.res.in_ch - skip_c[skip_index];
        SDN_REQUIRE(skip_h[skip_index] == H && skip_w[skip_index] == W && cur.dim(1) == c_run,
                    SDN_ERR_INTERNAL, "UNet skip size mismatch at " + blk.name);
        const TensorView joined = shaped(cat, {B, blk.res.in_ch, H, W});
        be.concat_channels(cur, skips[skip_index], joined);
        // The upsampler (if any) restores the size of the skip the next block takes.
        const int64_t up_h = skip_index > 0 ? skip_h[skip_index - 1] : H;
        const int64_t up_w = skip_index > 0 ? skip_w[skip_index - 1] : W;
        cur = run_block(ctx, blk, cfg, joined, emb, ctx_dev, up_h, up_w, act, tmp, ws);
        be.submit();
        ctx.progress(SDN_STAGE_UNET, ++step, total);
    }

    const int64_t H = cur.dim(2), W = cur.dim(3);
    const TensorView normed = shaped(tmp, {B, w_.out_norm.channels, H, W});
    be.group_norm(cur, cfg.groups, cfg.resnet_eps, &w_.out_norm.gamma, &w_.out_norm.beta, normed,
                  /*silu=*/true);
    const DeviceTensor eps = be.tensor({B, cfg.out_channels, H, W}, "UNet output");
    be.conv2d(normed, w_.out_conv.w, &w_.out_conv.b, 1, 1, eps);
    eps_out.reset({B, cfg.out_channels, H, W});
    be.download(eps, eps_out.data());
    ctx.note_scratch_bytes(ws.bytes() + static_cast<int64_t>(sizeof(float)) *
                                            (3 * max_act + 2 * B * cfg.time_embed_dim));
    ctx.progress(SDN_STAGE_UNET, ++step, total);
}

}  // namespace sdn
