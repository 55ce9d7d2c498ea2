// The tensors of a tiny SD1-layout checkpoint. The layout follows the LDM modules block by
// block (openaimodel UNet, CLIP text transformer, KL autoencoder) so the names and shape
// relations match real checkpoints; only widths and depths shrink.
#include <algorithm>
#include <cmath>

#include "model/test_model_writer.h"

namespace sdn {

namespace {

// splitmix64: a small, well-mixed deterministic generator.
class Rng {
public:
    explicit Rng(uint64_t seed) : s_(seed) {}
    uint64_t next() {
        uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    float uniform(float lo, float hi) {
        return lo + (hi - lo) * static_cast<float>((next() >> 40) * (1.0 / 16777216.0));
    }

private:
    uint64_t s_;
};

class Builder {
public:
    Builder(std::vector<TestTensor>& out, uint64_t seed) : out_(out), rng_(seed) {}

    // Weights scaled by 1/sqrt(fan_in) keep activations O(1) through the deep network.
    void weight(const std::string& name, std::vector<int64_t> shape) {
        int64_t fan_in = 1;
        for (size_t i = 1; i < shape.size(); ++i) fan_in *= shape[i];
        const float a = 1.0f / std::sqrt(static_cast<float>(fan_in));
        add(name, std::move(shape), -a, a);
    }
    void bias(const std::string& name, int64_t n) { add(name, {n}, -0.1f, 0.1f); }
    void conv(const std::string& name, int64_t out, int64_t in, int64_t k) {
        weight(name + ".weight", {out, in, k, k});
        bias(name + ".bias", out);
    }
    void linear(const std::string& name, int64_t out, int64_t in, bool with_bias = true) {
        weight(name + ".weight", {out, in});
        if (with_bias) bias(name + ".bias", out);
    }
    void norm(const std::string& name, int64_t n) {
        add(name + ".weight", {n}, 0.8f, 1.2f);
        bias(name + ".bias", n);
    }
    void embedding(const std::string& name, int64_t rows, int64_t dim) {
        add(name, {rows, dim}, -0.5f, 0.5f);
    }
    void add(const std::string& name, std::vector<int64_t> shape, float lo, float hi) {
        TestTensor t;
        t.name = name;
        t.shape = std::move(shape);
        int64_t n = 1;
        for (int64_t d : t.shape) n *= d;
        t.values.resize(static_cast<size_t>(n));
        for (float& v : t.values) v = rng_.uniform(lo, hi);
        out_.push_back(std::move(t));
    }

private:
    std::vector<TestTensor>& out_;
    Rng rng_;
};

void unet_resblock(Builder& b, const std::string& n, int64_t in, int64_t out, int64_t emb) {
    b.norm(n + ".in_layers.0", in);
    b.conv(n + ".in_layers.2", out, in, 3);
    b.linear(n + ".emb_layers.1", out, emb);
    b.norm(n + ".out_layers.0", out);
    b.conv(n + ".out_layers.3", out, out, 3);
    if (in != out) b.conv(n + ".skip_connection", out, in, 1);
}

void transformer_block(Builder& b, const std::string& t, int64_t ch, int64_t context);

void unet_projection(Builder& b, const std::string& n, int64_t ch, bool linear) {
    if (linear) b.linear(n, ch, ch);
    else b.conv(n, ch, ch, 1);
}

void unet_transformer(Builder& b, const std::string& n, int64_t ch, int64_t context, int depth,
                      bool linear) {
    b.norm(n + ".norm", ch);
    unet_projection(b, n + ".proj_in", ch, linear);
    for (int d = 0; d < depth; ++d) transformer_block(b, n + ".transformer_blocks." + std::to_string(d), ch, context);
    unet_projection(b, n + ".proj_out", ch, linear);
}

void transformer_block(Builder& b, const std::string& t, int64_t ch, int64_t context) {
    b.linear(t + ".attn1.to_q", ch, ch, false);
    b.linear(t + ".attn1.to_k", ch, ch, false);
    b.linear(t + ".attn1.to_v", ch, ch, false);
    b.linear(t + ".attn1.to_out.0", ch, ch);
    b.linear(t + ".attn2.to_q", ch, ch, false);
    b.linear(t + ".attn2.to_k", ch, context, false);
    b.linear(t + ".attn2.to_v", ch, context, false);
    b.linear(t + ".attn2.to_out.0", ch, ch);
    b.linear(t + ".ff.net.0.proj", 2 * 4 * ch, ch);
    b.linear(t + ".ff.net.2", ch, 4 * ch);
    b.norm(t + ".norm1", ch);
    b.norm(t + ".norm2", ch);
    b.norm(t + ".norm3", ch);
}

int depth_at(const TestModelSpec& s, size_t level) {
    if (!s.attention_at_level[level]) return 0;
    return s.transformer_depth.empty() ? 1 : s.transformer_depth[level];
}

void make_unet(Builder& b, const TestModelSpec& s) {
    const std::string p = "model.diffusion_model.";
    const int64_t mc = s.model_channels, emb = 4 * mc;
    const size_t levels = s.channel_mult.size();
    b.linear(p + "time_embed.0", emb, mc);
    b.linear(p + "time_embed.2", emb, emb);
    if (s.adm_pooled_width > 0) {
        const int64_t sizes = s.clip_layout == TestClipLayout::SdxlRefiner ? 5 : 6;
        b.linear(p + "label_emb.0.0", emb, s.adm_pooled_width + sizes * 256);
        b.linear(p + "label_emb.0.2", emb, emb);
    }
    b.conv(p + "input_blocks.0.0", mc, s.latent_channels, 3);
    const bool lin = s.linear_projections;
    std::vector<int64_t> skips{mc};
    int64_t ch = mc;
    int idx = 1;
    for (size_t l = 0; l < levels; ++l) {
        for (int r = 0; r < s.num_res_blocks; ++r) {
            const std::string n = p + "input_blocks." + std::to_string(idx);
            const int64_t out = mc * s.channel_mult[l];
            unet_resblock(b, n + ".0", ch, out, emb);
            ch = out;
            if (depth_at(s, l) > 0) unet_transformer(b, n + ".1", ch, s.context_dim, depth_at(s, l), lin);
            skips.push_back(ch);
            ++idx;
        }
        if (l + 1 < levels) {
            b.conv(p + "input_blocks." + std::to_string(idx) + ".0.op", ch, ch, 3);
            skips.push_back(ch);
            ++idx;
        }
    }
    unet_resblock(b, p + "middle_block.0", ch, ch, emb);
    unet_transformer(b, p + "middle_block.1", ch, s.context_dim,
                     std::max(1, depth_at(s, levels - 1)), lin);
    unet_resblock(b, p + "middle_block.2", ch, ch, emb);
    int out_idx = 0;
    for (size_t l = levels; l-- > 0;) {
        for (int r = 0; r <= s.num_res_blocks; ++r) {
            const std::string n = p + "output_blocks." + std::to_string(out_idx);
            const int64_t out = mc * s.channel_mult[l];
            unet_resblock(b, n + ".0", ch + skips.back(), out, emb);
            skips.pop_back();
            ch = out;
            int part = 1;
            if (depth_at(s, l) > 0)
                unet_transformer(b, n + "." + std::to_string(part++), ch, s.context_dim, depth_at(s, l), lin);
            if (l > 0 && r == s.num_res_blocks)
                b.conv(n + "." + std::to_string(part) + ".conv", ch, ch, 3);
            ++out_idx;
        }
    }
    b.norm(p + "out.0", ch);
    b.conv(p + "out.2", s.latent_channels, ch, 3);
}

void make_hf_clip(Builder& b, const TestModelSpec& s, const std::string& p,
                  std::vector<TestTensor>& out) {
    const int64_t w = s.clip_width;
    b.embedding(p + "embeddings.token_embedding.weight", s.clip_vocab, w);
    b.embedding(p + "embeddings.position_embedding.weight", s.clip_positions, w);
    for (int l = 0; l < s.clip_layers; ++l) {
        const std::string n = p + "encoder.layers." + std::to_string(l);
        b.norm(n + ".layer_norm1", w);
        b.linear(n + ".self_attn.q_proj", w, w);
        b.linear(n + ".self_attn.k_proj", w, w);
        b.linear(n + ".self_attn.v_proj", w, w);
        b.linear(n + ".self_attn.out_proj", w, w);
        b.norm(n + ".layer_norm2", w);
        b.linear(n + ".mlp.fc1", 4 * w, w);
        b.linear(n + ".mlp.fc2", w, 4 * w);
    }
    b.norm(p + "final_layer_norm", w);
    if (s.with_schedule_buffers) {
        TestTensor ids;
        ids.name = p + "embeddings.position_ids";
        ids.shape = {1, s.clip_positions};
        ids.is_i64 = true;
        for (int64_t i = 0; i < s.clip_positions; ++i) ids.i64_values.push_back(i);
        out.push_back(std::move(ids));
    }
}

// OpenCLIP text tower names: fused q/k/v in_proj, ln_final and (bigG) a text_projection
// that is deliberately not symmetric, so its orientation matters.
void make_open_clip(Builder& b, const TestModelSpec& s, const std::string& p, bool projection) {
    const int64_t w = s.open_clip_width;
    b.embedding(p + "token_embedding.weight", s.clip_vocab, w);
    b.embedding(p + "positional_embedding", s.clip_positions, w);
    for (int l = 0; l < s.open_clip_layers; ++l) {
        const std::string n = p + "transformer.resblocks." + std::to_string(l);
        b.norm(n + ".ln_1", w);
        b.weight(n + ".attn.in_proj_weight", {3 * w, w});
        b.bias(n + ".attn.in_proj_bias", 3 * w);
        b.linear(n + ".attn.out_proj", w, w);
        b.norm(n + ".ln_2", w);
        b.linear(n + ".mlp.c_fc", 4 * w, w);
        b.linear(n + ".mlp.c_proj", w, 4 * w);
    }
    b.norm(p + "ln_final", w);
    if (projection) b.weight(p + "text_projection", {w, w});
}

void make_clip(Builder& b, const TestModelSpec& s, std::vector<TestTensor>& out) {
    switch (s.clip_layout) {
        case TestClipLayout::Sd1ClipL:
            make_hf_clip(b, s, "cond_stage_model.transformer.text_model.", out);
            break;
        case TestClipLayout::Sd2OpenClipH:
            make_open_clip(b, s, "cond_stage_model.model.", true);
            break;
        case TestClipLayout::SdxlBase:
            make_hf_clip(b, s, "conditioner.embedders.0.transformer.text_model.", out);
            make_open_clip(b, s, "conditioner.embedders.1.model.", true);
            break;
        case TestClipLayout::SdxlRefiner:
            make_open_clip(b, s, "conditioner.embedders.0.model.", true);
            break;
    }
}

void vae_resblock(Builder& b, const std::string& n, int64_t in, int64_t out) {
    b.norm(n + ".norm1", in);
    b.conv(n + ".conv1", out, in, 3);
    b.norm(n + ".norm2", out);
    b.conv(n + ".conv2", out, out, 3);
    if (in != out) b.conv(n + ".nin_shortcut", out, in, 1);
}

void vae_mid(Builder& b, const std::string& n, int64_t ch) {
    vae_resblock(b, n + ".block_1", ch, ch);
    b.norm(n + ".attn_1.norm", ch);
    b.conv(n + ".attn_1.q", ch, ch, 1);
    b.conv(n + ".attn_1.k", ch, ch, 1);
    b.conv(n + ".attn_1.v", ch, ch, 1);
    b.conv(n + ".attn_1.proj_out", ch, ch, 1);
    vae_resblock(b, n + ".block_2", ch, ch);
}

void make_vae(Builder& b, const TestModelSpec& s) {
    const std::string p = "first_stage_model.";
    const int64_t z = s.latent_channels;
    const size_t levels = s.vae_ch_mult.size();
    // Encoder
    b.conv(p + "encoder.conv_in", s.vae_ch, 3, 3);
    int64_t ch = s.vae_ch;
    for (size_t l = 0; l < levels; ++l) {
        const int64_t out = s.vae_ch * s.vae_ch_mult[l];
        for (int r = 0; r < s.vae_res_blocks; ++r) {
            vae_resblock(b, p + "encoder.down." + std::to_string(l) + ".block." + std::to_string(r),
                         ch, out);
            ch = out;
        }
        if (l + 1 < levels)
            b.conv(p + "encoder.down." + std::to_string(l) + ".downsample.conv", ch, ch, 3);
    }
    vae_mid(b, p + "encoder.mid", ch);
    b.norm(p + "encoder.norm_out", ch);
    b.conv(p + "encoder.conv_out", 2 * z, ch, 3);
    b.conv(p + "quant_conv", 2 * z, 2 * z, 1);
    b.conv(p + "post_quant_conv", z, z, 1);
    // Decoder
    ch = s.vae_ch * s.vae_ch_mult.back();
    b.conv(p + "decoder.conv_in", ch, z, 3);
    vae_mid(b, p + "decoder.mid", ch);
    for (size_t l = levels; l-- > 0;) {
        const int64_t out = s.vae_ch * s.vae_ch_mult[l];
        for (int r = 0; r <= s.vae_res_blocks; ++r) {
            vae_resblock(b, p + "decoder.up." + std::to_string(l) + ".block." + std::to_string(r),
                         ch, out);
            ch = out;
        }
        if (l > 0) b.conv(p + "decoder.up." + std::to_string(l) + ".upsample.conv", ch, ch, 3);
    }
    b.norm(p + "decoder.norm_out", ch);
    b.conv(p + "decoder.conv_out", 3, ch, 3);
}

}  // namespace

TestModelSpec tiny_sd2_spec() {
    TestModelSpec s;
    s.model_channels = 64;
    s.clip_layout = TestClipLayout::Sd2OpenClipH;
    s.linear_projections = true;
    s.context_dim = s.open_clip_width;
    return s;
}

TestModelSpec tiny_sdxl_spec() {
    TestModelSpec s;
    s.model_channels = 64;
    s.attention_at_level = {false, true};
    s.transformer_depth = {0, 2};
    s.clip_layout = TestClipLayout::SdxlBase;
    s.linear_projections = true;
    s.context_dim = s.clip_width + s.open_clip_width;
    s.adm_pooled_width = s.open_clip_width;
    s.with_schedule_buffers = false;  // SDXL files carry none
    return s;
}

TestModelSpec tiny_sdxl_refiner_spec() {
    TestModelSpec s = tiny_sdxl_spec();
    // As the refiner's [0, 4, 4, 0]: no attention at the first and deepest levels.
    s.channel_mult = {1, 2, 2};
    s.attention_at_level = {false, true, false};
    s.transformer_depth = {0, 1, 0};
    s.clip_layout = TestClipLayout::SdxlRefiner;
    s.context_dim = s.open_clip_width;
    return s;
}

std::vector<TestTensor> make_test_model_tensors(const TestModelSpec& spec, uint64_t seed) {
    std::vector<TestTensor> out;
    Builder b(out, seed);
    if (spec.with_unet) make_unet(b, spec);
    if (spec.with_clip) make_clip(b, spec, out);
    if (spec.with_vae) make_vae(b, spec);
    if (spec.v_pred_key) {
        TestTensor marker;
        marker.name = "v_pred";
        marker.shape = {1};
        marker.values = {1.0f};
        out.push_back(std::move(marker));
    }
    if (spec.with_schedule_buffers) {
        // The DDPM schedule SD1 checkpoints carry (linear in sqrt(beta), 1000 steps).
        TestTensor ac;
        ac.name = "alphas_cumprod";
        ac.shape = {1000};
        double prod = 1.0;
        for (int i = 0; i < 1000; ++i) {
            const double sb = std::sqrt(0.00085) + (std::sqrt(0.012) - std::sqrt(0.00085)) * i / 999.0;
            prod *= 1.0 - sb * sb;
            ac.values.push_back(static_cast<float>(prod));
        }
        out.push_back(std::move(ac));
    }
    return out;
}

}  // namespace sdn
