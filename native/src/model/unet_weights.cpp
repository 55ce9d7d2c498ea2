// Binding the UNet's weights by their original (LDM) names. Every width, the number of blocks
// and the transformer depth come from the tensors present, so shrunk test models bind too.
#include "model/unet_weights.h"

#include <sstream>

#include "core/error.h"
#include "model/lora_side_path.h"

namespace sdn::unet {

WeightRef WeightBinder::get(const std::string& name) {
    const std::string full = prefix_ + name;
    used_.insert(full);
    const WeightRef* ref = lookup_(full);
    if (!ref) {
        problems_.push_back("missing tensor " + full);
        return WeightRef{};
    }
    return *ref;
}

void WeightBinder::throw_if_incomplete() const {
    if (problems_.empty()) return;
    std::ostringstream msg;
    msg << "UNet weights incomplete (" << problems_.size() << " problem"
        << (problems_.size() == 1 ? "" : "s") << "): ";
    const size_t shown = problems_.size() < 20 ? problems_.size() : 20;
    for (size_t i = 0; i < shown; ++i) msg << (i ? "; " : "") << problems_[i];
    if (shown < problems_.size()) msg << "; ... and " << problems_.size() - shown << " more";
    fail(SDN_ERR_FORMAT, msg.str());
}

WeightRef as_linear_weight(const WeightRef& w) {
    WeightRef v = w;
    if (w.shape.size() == 4) v.shape = {w.shape[0], w.shape[1] * w.shape[2] * w.shape[3]};
    return v;
}

namespace {

int64_t dim_or0(const WeightRef& w, size_t i) { return w.shape.size() > i ? w.shape[i] : 0; }

bool expect_shape(WeightBinder& b, const std::string& name, const WeightRef& w,
                  const std::vector<int64_t>& shape) {
    if (!w.valid()) return false;  // already reported missing
    if (w.shape == shape) return true;
    std::ostringstream msg;
    msg << b.prefix() << name << " has shape [";
    for (size_t i = 0; i < w.shape.size(); ++i) msg << (i ? ", " : "") << w.shape[i];
    msg << "], expected [";
    for (size_t i = 0; i < shape.size(); ++i) msg << (i ? ", " : "") << shape[i];
    msg << "]";
    b.problem(msg.str());
    return false;
}

Conv bind_conv(WeightBinder& b, const std::string& name, int64_t in, int64_t out, int64_t k) {
    Conv c;
    c.w = b.get(name + ".weight");
    c.b = b.get(name + ".bias");
    c.in = in, c.out = out, c.k = k;
    expect_shape(b, name + ".weight", c.w, {out, in, k, k});
    expect_shape(b, name + ".bias", c.b, {out});
    return c;
}

// A conv whose output width is read from the weight (in is known).
Conv bind_conv_any_out(WeightBinder& b, const std::string& name, int64_t in, int64_t k) {
    const WeightRef w = b.get(name + ".weight");
    return bind_conv(b, name, in, w.valid() ? dim_or0(w, 0) : 0, k);
}

Linear bind_linear(WeightBinder& b, const std::string& name, int64_t in, int64_t out,
                   bool bias) {
    Linear l;
    l.w = b.get(name + ".weight");
    l.in = in, l.out = out, l.has_bias = bias;
    // Projections stored as 1x1 convs (SD1 proj_in/proj_out) are the same matrix.
    if (l.w.valid() && l.w.shape.size() == 4 && l.w.shape[2] == 1 && l.w.shape[3] == 1)
        l.w = as_linear_weight(l.w);
    expect_shape(b, name + ".weight", l.w, {out, in});
    if (b.has(name + ".weight" + kLoraSideDown)) {
        l.has_lora = true;
        l.lora_down = b.get(name + ".weight" + kLoraSideDown);
        l.lora_up = b.get(name + ".weight" + kLoraSideUp);
    }
    if (bias) {
        l.b = b.get(name + ".bias");
        expect_shape(b, name + ".bias", l.b, {out});
    }
    return l;
}

Norm bind_norm(WeightBinder& b, const std::string& name, int64_t channels) {
    Norm n;
    n.gamma = b.get(name + ".weight");
    n.beta = b.get(name + ".bias");
    n.channels = channels;
    expect_shape(b, name + ".weight", n.gamma, {channels});
    expect_shape(b, name + ".bias", n.beta, {channels});
    return n;
}

ResBlock bind_res(WeightBinder& b, const std::string& name, int64_t in_ch, int64_t emb_dim) {
    ResBlock r;
    r.in_ch = in_ch;
    r.in_norm = bind_norm(b, name + ".in_layers.0", in_ch);
    r.in_conv = bind_conv_any_out(b, name + ".in_layers.2", in_ch, 3);
    r.out_ch = r.in_conv.out;
    r.emb_proj = bind_linear(b, name + ".emb_layers.1", emb_dim, r.out_ch, true);
    r.out_norm = bind_norm(b, name + ".out_layers.0", r.out_ch);
    r.out_conv = bind_conv(b, name + ".out_layers.3", r.out_ch, r.out_ch, 3);
    r.has_skip = b.has(name + ".skip_connection.weight");
    if (r.has_skip) r.skip = bind_conv(b, name + ".skip_connection", in_ch, r.out_ch, 1);
    else if (in_ch != r.out_ch)
        b.problem("missing tensor " + b.prefix() + name + ".skip_connection.weight");
    return r;
}

int64_t heads_for(const UnetConfig& cfg, int64_t inner) {
    if (cfg.head_dim > 0) return inner / cfg.head_dim;
    return cfg.num_heads;
}

Attention bind_attention(WeightBinder& b, const std::string& name, int64_t inner,
                         int64_t context_dim, int64_t heads) {
    Attention a;
    a.q = bind_linear(b, name + ".to_q", inner, inner, false);
    a.k = bind_linear(b, name + ".to_k", context_dim, inner, false);
    a.v = bind_linear(b, name + ".to_v", context_dim, inner, false);
    a.out = bind_linear(b, name + ".to_out.0", inner, inner, true);
    a.heads = heads;
    a.head_dim = heads > 0 ? inner / heads : 0;
    if (heads <= 0 || inner % heads != 0)
        b.problem(name + ": width " + std::to_string(inner) + " does not split into " +
                  std::to_string(heads) + " heads");
    return a;
}

SpatialTransformer bind_transformer(WeightBinder& b, const std::string& name, int64_t ch,
                                    const UnetConfig& cfg) {
    SpatialTransformer t;
    t.channels = ch;
    t.norm = bind_norm(b, name + ".norm", ch);
    const WeightRef pin = b.get(name + ".proj_in.weight");
    t.inner = pin.valid() ? dim_or0(pin, 0) : ch;
    t.proj_in = bind_linear(b, name + ".proj_in", ch, t.inner, true);
    t.proj_out = bind_linear(b, name + ".proj_out", t.inner, ch, true);
    const int64_t heads = heads_for(cfg, t.inner);
    for (int d = 0; b.has(name + ".transformer_blocks." + std::to_string(d) + ".norm1.weight");
         ++d) {
        const std::string bn = name + ".transformer_blocks." + std::to_string(d);
        TransformerBlock tb;
        tb.norm1 = bind_norm(b, bn + ".norm1", t.inner);
        tb.norm2 = bind_norm(b, bn + ".norm2", t.inner);
        tb.norm3 = bind_norm(b, bn + ".norm3", t.inner);
        tb.self_attn = bind_attention(b, bn + ".attn1", t.inner, t.inner, heads);
        tb.cross_attn = bind_attention(b, bn + ".attn2", t.inner, cfg.context_dim, heads);
        const WeightRef ff = b.get(bn + ".ff.net.0.proj.weight");
        const int64_t ff2 = ff.valid() ? dim_or0(ff, 0) : 0;
        tb.ff_in = bind_linear(b, bn + ".ff.net.0.proj", t.inner, ff2, true);
        // ff_out maps ff -> inner: its stored shape is [inner, ff].
        tb.ff_out = bind_linear(b, bn + ".ff.net.2", ff2 / 2, t.inner, true);
        t.blocks.push_back(std::move(tb));
    }
    if (t.blocks.empty())
        b.problem("missing tensor " + b.prefix() + name + ".transformer_blocks.0.norm1.weight");
    return t;
}

// Binds the parts of one block that exist under `name`; `index` is the sub-module counter.
UnetBlock bind_block(WeightBinder& b, const std::string& name, int64_t in_ch,
                     const UnetConfig& cfg) {
    UnetBlock blk;
    blk.name = name;
    int64_t ch = in_ch;
    for (int part = 0; part < 4; ++part) {
        const std::string p = name + "." + std::to_string(part);
        if (b.has(p + ".in_layers.0.weight")) {
            ResBlock& r = blk.has_res ? blk.res2 : blk.res;
            (blk.has_res ? blk.has_res2 : blk.has_res) = true;
            r = bind_res(b, p, ch, cfg.time_embed_dim);
            ch = r.out_ch;
        } else if (b.has(p + ".norm.weight") && b.has(p + ".proj_in.weight")) {
            blk.has_attn = true;
            blk.attn = bind_transformer(b, p, ch, cfg);
        } else if (b.has(p + ".op.weight")) {
            blk.has_down = true;
            blk.down = bind_conv(b, p + ".op", ch, ch, 3);
        } else if (b.has(p + ".conv.weight")) {
            blk.has_up = true;
            blk.up = bind_conv(b, p + ".conv", ch, ch, 3);
        }
    }
    blk.out_ch = ch;
    return blk;
}

}  // namespace

UnetWeights bind_unet_weights(WeightBinder& b, int64_t num_heads, int64_t head_dim) {
    UnetWeights u;
    UnetConfig& cfg = u.config;
    cfg.num_heads = num_heads;
    cfg.head_dim = head_dim;

    const WeightRef stem = b.get("input_blocks.0.0.weight");
    SDN_REQUIRE(stem.valid() && stem.shape.size() == 4, SDN_ERR_FORMAT,
                "UNet stem " + b.prefix() + "input_blocks.0.0.weight missing or not 4-D");
    cfg.model_channels = stem.shape[0];
    cfg.in_channels = stem.shape[1];
    const WeightRef t0 = b.get("time_embed.0.weight");
    cfg.time_embed_dim = t0.valid() ? dim_or0(t0, 0) : 4 * cfg.model_channels;
    // Context width from the first cross-attention key projection found: SDXL has none
    // at the first level, so look through the input blocks, then the middle block.
    for (int i = 1; i < 12; ++i) {
        const WeightRef* k = b.peek("input_blocks." + std::to_string(i) + ".1.transformer_blocks.0.attn2.to_k.weight");
        if (!k && i == 11) k = b.peek("middle_block.1.transformer_blocks.0.attn2.to_k.weight");
        if (k && k->shape.size() == 2) {
            cfg.context_dim = k->shape[1];
            break;
        }
    }
    b.throw_if_incomplete();

    u.time_in = bind_linear(b, "time_embed.0", cfg.model_channels, cfg.time_embed_dim, true);
    u.time_out = bind_linear(b, "time_embed.2", cfg.time_embed_dim, cfg.time_embed_dim, true);
    if (const WeightRef* label = b.peek("label_emb.0.0.weight"); label && label->shape.size() == 2) {
        cfg.adm_in_channels = label->shape[1];
        u.has_label_emb = true;
        u.label_in = bind_linear(b, "label_emb.0.0", cfg.adm_in_channels, cfg.time_embed_dim, true);
        u.label_out = bind_linear(b, "label_emb.0.2", cfg.time_embed_dim, cfg.time_embed_dim, true);
    }

    UnetBlock first;
    first.name = "input_blocks.0";
    first.has_stem = true;
    first.stem = bind_conv(b, "input_blocks.0.0", cfg.in_channels, cfg.model_channels, 3);
    first.out_ch = cfg.model_channels;
    u.input_blocks.push_back(first);

    std::vector<int64_t> skip_ch{cfg.model_channels};
    int64_t ch = cfg.model_channels;
    for (int i = 1; b.has("input_blocks." + std::to_string(i) + ".0.in_layers.0.weight") ||
                    b.has("input_blocks." + std::to_string(i) + ".0.op.weight");
         ++i) {
        UnetBlock blk = bind_block(b, "input_blocks." + std::to_string(i), ch, cfg);
        ch = blk.out_ch;
        skip_ch.push_back(ch);
        u.input_blocks.push_back(std::move(blk));
    }
    u.middle = bind_block(b, "middle_block", ch, cfg);
    ch = u.middle.out_ch;
    for (int i = 0; b.has("output_blocks." + std::to_string(i) + ".0.in_layers.0.weight"); ++i) {
        if (skip_ch.empty()) {
            b.problem("more output_blocks than input_blocks");
            break;
        }
        const int64_t cat = ch + skip_ch.back();
        skip_ch.pop_back();
        UnetBlock blk = bind_block(b, "output_blocks." + std::to_string(i), cat, cfg);
        ch = blk.out_ch;
        u.output_blocks.push_back(std::move(blk));
    }
    if (!skip_ch.empty())
        b.problem("output_blocks consume " + std::to_string(u.output_blocks.size()) +
                  " skips but input_blocks produce " +
                  std::to_string(u.input_blocks.size()));
    u.out_norm = bind_norm(b, "out.0", ch);
    const WeightRef ow = b.get("out.2.weight");
    cfg.out_channels = ow.valid() ? dim_or0(ow, 0) : cfg.in_channels;
    u.out_conv = bind_conv(b, "out.2", ch, cfg.out_channels, 3);
    if (ch % cfg.groups != 0) b.problem("UNet width not divisible by 32 groups");
    b.throw_if_incomplete();
    return u;
}

}  // namespace sdn::unet
