#include "model/vae_encoder.h"

#include <algorithm>

#include "core/error.h"

namespace sdn::vae {

Encoder Encoder::bind(WeightBinder& b, const std::string& name) {
    Encoder e;
    e.conv_in_ = Conv2d::bind(b, name + "conv_in", 3, -1, 3);
    int64_t channels = e.conv_in_.out;

    const int n_levels = b.count_indexed(name + "down.", ".block.0.conv1.weight");
    SDN_REQUIRE(n_levels > 0 || !b.has(name + "conv_in.weight"), SDN_ERR_FORMAT,
                "VAE encoder has no " + name + "down.0.block.0 tensors");
    for (int i = 0; i < n_levels; ++i) {
        const std::string level = name + "down." + std::to_string(i);
        Level l;
        const int n_blocks = b.count_indexed(level + ".block.", ".conv1.weight");
        for (int j = 0; j < n_blocks; ++j) {
            l.blocks.push_back(ResnetBlock::bind(b, level + ".block." + std::to_string(j), channels));
            channels = l.blocks.back().out;
        }
        // Every level but the last halves the resolution (the LDM layout).
        l.has_downsample = i + 1 < n_levels;
        if (l.has_downsample) l.downsample = Downsample::bind(b, level + ".downsample", channels);
        e.levels_.push_back(std::move(l));
    }
    if (e.levels_.empty()) e.levels_.emplace_back();  // only reached with conv_in missing too
    e.mid_block_1_ = ResnetBlock::bind(b, name + "mid.block_1", channels);
    channels = e.mid_block_1_.out;
    e.mid_attn_ = AttentionBlock::bind(b, name + "mid.attn_1", channels);
    e.mid_block_2_ = ResnetBlock::bind(b, name + "mid.block_2", channels);
    channels = e.mid_block_2_.out;
    e.norm_out_ = GroupNorm::bind(b, name + "norm_out", channels);
    e.conv_out_ = Conv2d::bind(b, name + "conv_out", channels, -1, 3);
    return e;
}

int Encoder::block_count() const {
    int n = 0;
    for (const Level& l : levels_) n += static_cast<int>(l.blocks.size()) + (l.has_downsample ? 1 : 0);
    return n + 3 + 1;  // mid block_1, attn, block_2; then norm_out + conv_out
}

DeviceTensor Encoder::forward(Context& ctx, const DeviceTensor& image,
                              ProgressTicker& progress) const {
    DeviceTensor h = conv_in_.forward(ctx, image, 1, 1);
    for (const Level& l : levels_) {
        for (const ResnetBlock& r : l.blocks) {
            h = r.forward(ctx, std::move(h));
            progress.tick();
        }
        if (l.has_downsample) {
            h = l.downsample.forward(ctx, h);
            progress.tick();
        }
    }
    h = mid_block_1_.forward(ctx, std::move(h));
    progress.tick();
    h = mid_attn_.forward(ctx, std::move(h));
    progress.tick();
    h = mid_block_2_.forward(ctx, std::move(h));
    progress.tick();
    h = norm_out_.forward(ctx, h, true);
    h = conv_out_.forward(ctx, h, 1, 1);
    progress.tick();
    return h;
}

int64_t Encoder::peak_elements(int64_t H, int64_t W) const {
    int64_t h = H, w = W;
    int64_t peak = conv_in_.out * h * w;
    // ResnetBlock::forward: x with (normed x, conv1 out), then with (normed h, conv2 out), at
    // the end with (h, shortcut): in + max(in + out, 2 out) per pixel.
    auto resnet = [&](const ResnetBlock& r) {
        peak = std::max(peak, (r.in + std::max(r.in + r.out, 2 * r.out)) * h * w);
    };
    for (const Level& l : levels_) {
        for (const ResnetBlock& r : l.blocks) resnet(r);
        if (l.has_downsample) {
            // Downsample::forward: x, its (H+1) x (W+1) zero-padded copy and the stride-2
            // conv's output.
            const int64_t c = l.downsample.conv.in;
            peak = std::max(peak, c * (h * w + (h + 1) * (w + 1) + (h / 2) * (w / 2)));
            h /= 2;
            w /= 2;
        }
    }
    resnet(mid_block_1_);
    // AttentionBlock::forward: x, its normed copy and four token buffers of the same size.
    peak = std::max(peak, 6 * mid_attn_.channels * h * w);
    resnet(mid_block_2_);
    // norm_out keeps h and its normed copy; conv_out the normed copy and the moments.
    const int64_t c = norm_out_.channels;
    return std::max(peak, std::max(2 * c, c + conv_out_.out) * h * w);
}

}  // namespace sdn::vae
