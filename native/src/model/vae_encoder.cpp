#include "model/vae_encoder.h"

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

}  // namespace sdn::vae
