#include "model/vae_decoder.h"

#include <algorithm>

#include "core/error.h"

namespace sdn::vae {

Decoder Decoder::bind(WeightBinder& b, const std::string& name) {
    Decoder d;
    d.conv_in_ = Conv2d::bind(b, name + "conv_in", -1, -1, 3);
    int64_t channels = d.conv_in_.out;
    d.mid_block_1_ = ResnetBlock::bind(b, name + "mid.block_1", channels);
    channels = d.mid_block_1_.out;
    d.mid_attn_ = AttentionBlock::bind(b, name + "mid.attn_1", channels);
    d.mid_block_2_ = ResnetBlock::bind(b, name + "mid.block_2", channels);
    channels = d.mid_block_2_.out;

    const int n_levels = b.count_indexed(name + "up.", ".block.0.conv1.weight");
    SDN_REQUIRE(n_levels > 0 || !b.has(name + "conv_in.weight"), SDN_ERR_FORMAT,
                "VAE decoder has no " + name + "up.0.block.0 tensors");
    // The stored index counts resolution levels from the finest (0) to the coarsest; the
    // decoder runs them coarsest first and upsamples after every level but level 0.
    for (int i = n_levels - 1; i >= 0; --i) {
        const std::string level = name + "up." + std::to_string(i);
        Level l;
        const int n_blocks = b.count_indexed(level + ".block.", ".conv1.weight");
        for (int j = 0; j < n_blocks; ++j) {
            l.blocks.push_back(ResnetBlock::bind(b, level + ".block." + std::to_string(j), channels));
            channels = l.blocks.back().out;
        }
        l.has_upsample = i != 0;
        if (l.has_upsample) l.upsample = Upsample::bind(b, level + ".upsample", channels);
        d.levels_.push_back(std::move(l));
    }
    if (d.levels_.empty()) d.levels_.emplace_back();  // only reached with conv_in missing too
    d.norm_out_ = GroupNorm::bind(b, name + "norm_out", channels);
    d.conv_out_ = Conv2d::bind(b, name + "conv_out", channels, -1, 3);
    return d;
}

int Decoder::block_count() const {
    int n = 0;
    for (const Level& l : levels_) n += static_cast<int>(l.blocks.size()) + (l.has_upsample ? 1 : 0);
    return n + 3 + 1;  // mid block_1, attn, block_2; then norm_out + conv_out
}

DeviceTensor Decoder::forward(Context& ctx, const DeviceTensor& z,
                              ProgressTicker& progress) const {
    DeviceTensor h = conv_in_.forward(ctx, z, 1, 1);
    h = mid_block_1_.forward(ctx, std::move(h));
    progress.tick();
    h = mid_attn_.forward(ctx, std::move(h));
    progress.tick();
    h = mid_block_2_.forward(ctx, std::move(h));
    progress.tick();
    for (const Level& l : levels_) {
        for (const ResnetBlock& r : l.blocks) {
            h = r.forward(ctx, std::move(h));
            progress.tick();
        }
        if (l.has_upsample) {
            h = l.upsample.forward(ctx, h);
            progress.tick();
        }
    }
    h = norm_out_.forward(ctx, h, true);
    h = conv_out_.forward(ctx, h, 1, 1);
    progress.tick();
    return h;
}

int64_t Decoder::peak_elements(int64_t h, int64_t w) const {
    int64_t pixels = h * w;
    int64_t peak = (conv_in_.in + conv_in_.out) * pixels;
    // ResnetBlock::forward: x with (normed x, conv1 out), then with (normed h, conv2 out), at
    // the end with (h, shortcut): in + max(in + out, 2 out) per pixel.
    auto resnet = [&](const ResnetBlock& r) {
        peak = std::max(peak, (r.in + std::max(r.in + r.out, 2 * r.out)) * pixels);
    };
    resnet(mid_block_1_);
    // AttentionBlock::forward: x, its normed copy and four token buffers of the same size.
    peak = std::max(peak, 6 * mid_attn_.channels * pixels);
    resnet(mid_block_2_);
    for (const Level& l : levels_) {
        for (const ResnetBlock& r : l.blocks) resnet(r);
        if (l.has_upsample) {
            // Upsample::forward: x, its 2x copy and the conv's output (4x each).
            peak = std::max(peak, 9 * l.upsample.conv.in * pixels);
            pixels *= 4;
        }
    }
    // norm_out keeps h and its normed copy; conv_out the normed copy and the image.
    const int64_t c = norm_out_.channels;
    return std::max(peak, std::max(2 * c, c + conv_out_.out) * pixels);
}

}  // namespace sdn::vae
