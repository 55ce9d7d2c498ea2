// Each VAE block against the double-precision reference in vae_test_support.h, on tiny
// random weights.
#include "model/vae_blocks.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "vae_test_support.h"

namespace {

using namespace vae_test;
using sdn_test::on_backend;
using sdn_test::on_host;
using sdn::vae::WeightBinder;

constexpr double kTolerance = 2e-5;  // f32 activations against double, normalised

TEST(VaeBlocks, ResnetBlockWithSameWidthMatchesReference) {
    TinyWeights w;
    w.add_resnet("r", 32, 32);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::ResnetBlock::bind(b, "r", 32);
    b.require_complete();
    EXPECT_FALSE(block.has_shortcut);

    sdn::Context ctx = make_context();
    const Map x = random_map(32, 7, 9, 1);
    const Map got = to_map(on_host(ctx, block.forward(ctx, on_backend(ctx, to_tensor(x)))));
    EXPECT_LT(normalized_error(got, Reference(w).resnet(x, "r")), kTolerance);
}

TEST(VaeBlocks, ResnetBlockWithNinShortcutMatchesReference) {
    TinyWeights w;
    w.add_resnet("r", 32, 64);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::ResnetBlock::bind(b, "r", 32);
    b.require_complete();
    EXPECT_TRUE(block.has_shortcut);
    EXPECT_EQ(block.out, 64);

    sdn::Context ctx = make_context();
    const Map x = random_map(32, 6, 5, 2);
    const Map got = to_map(on_host(ctx, block.forward(ctx, on_backend(ctx, to_tensor(x)))));
    EXPECT_LT(normalized_error(got, Reference(w).resnet(x, "r")), kTolerance);
}

TEST(VaeBlocks, ResnetBlockWithoutShortcutWeightsIsReportedMissing) {
    TinyWeights prefixed;  // under a prefix, to see the full name reported
    prefixed.add_resnet("pre.r", 32, 64);
    prefixed.remove("pre.r.nin_shortcut.weight");
    WeightBinder pb(prefixed.lookup(), "pre.");
    sdn::vae::ResnetBlock::bind(pb, "r", 32);
    try {
        pb.require_complete();
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("pre.r.nin_shortcut.weight"), std::string::npos)
            << e.what();
    }
}

TEST(VaeBlocks, WrongStoredShapeIsAFormatError) {
    TinyWeights w;
    w.add_resnet("r", 32, 32);
    w.add_random("r.conv2.weight", {32, 16, 3, 3}, 0.1);  // conv2 must take 32 channels
    WeightBinder b(w.lookup(), "");
    try {
        sdn::vae::ResnetBlock::bind(b, "r", 32);
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("r.conv2.weight"), std::string::npos) << e.what();
    }
}

TEST(VaeBlocks, AttentionBlockWithConvShapedWeightsMatchesReference) {
    TinyWeights w;
    w.add_attention("a", 64, /*linear_shaped=*/false);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::AttentionBlock::bind(b, "a", 64);
    b.require_complete();

    sdn::Context ctx = make_context();
    const Map x = random_map(64, 5, 6, 3);
    const Map got = to_map(on_host(ctx, block.forward(ctx, on_backend(ctx, to_tensor(x)))));
    EXPECT_LT(normalized_error(got, Reference(w).attention(x, "a")), kTolerance);
}

TEST(VaeBlocks, AttentionBlockWithLinearShapedWeightsMatchesReference) {
    TinyWeights w;
    w.add_attention("a", 32, /*linear_shaped=*/true);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::AttentionBlock::bind(b, "a", 32);
    b.require_complete();

    sdn::Context ctx = make_context();
    const Map x = random_map(32, 4, 4, 4);
    const Map got = to_map(on_host(ctx, block.forward(ctx, on_backend(ctx, to_tensor(x)))));
    EXPECT_LT(normalized_error(got, Reference(w).attention(x, "a")), kTolerance);
}

TEST(VaeBlocks, AttentionBlockTreatsBatchItemsIndependently) {
    TinyWeights w;
    w.add_attention("a", 32);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::AttentionBlock::bind(b, "a", 32);
    sdn::Context ctx = make_context();
    const Map x0 = random_map(32, 3, 5, 5), x1 = random_map(32, 3, 5, 6);
    sdn::Tensor both({2, 32, 3, 5});
    const sdn::Tensor t0 = to_tensor(x0);
    std::copy(t0.data(), t0.data() + x0.v.size(), both.data());
    const sdn::Tensor t1 = to_tensor(x1);
    std::copy(t1.data(), t1.data() + x1.v.size(), both.data() + x0.v.size());
    const sdn::Tensor y = on_host(ctx, block.forward(ctx, on_backend(ctx, both)));
    const Reference ref(w);
    EXPECT_LT(normalized_error(to_map(y, 0), ref.attention(x0, "a")), kTolerance);
    EXPECT_LT(normalized_error(to_map(y, 1), ref.attention(x1, "a")), kTolerance);
}

TEST(VaeBlocks, DownsamplePadsRightAndBottomOnly) {
    TinyWeights w;
    w.add_conv("d.conv", 32, 32, 3);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::Downsample::bind(b, "d", 32);
    b.require_complete();
    sdn::Context ctx = make_context();
    const Reference ref(w);

    for (auto [h, wd] : {std::pair<int64_t, int64_t>{8, 8}, {7, 5}}) {
        const Map x = random_map(32, h, wd, 7);
        const Map got = to_map(on_host(ctx, block.forward(ctx, on_backend(ctx, to_tensor(x)))));
        // Ho = floor((H + 1 - 3) / 2) + 1 = floor(H / 2).
        EXPECT_EQ(got.H, h / 2);
        EXPECT_EQ(got.W, wd / 2);
        EXPECT_LT(normalized_error(got, ref.downsample(x, "d")), kTolerance);
        // A symmetric pad of one would be a different function: make sure the test can tell.
        const Map symmetric = ref.conv(x, "d.conv", 2, 1, 1, 1, 1);
        if (symmetric.H == got.H && symmetric.W == got.W) {
            EXPECT_GT(normalized_error(got, symmetric), 1e-2);
        }
    }
}

TEST(VaeBlocks, UpsampleIsNearestThenConv) {
    TinyWeights w;
    w.add_conv("u.conv", 32, 32, 3);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::Upsample::bind(b, "u", 32);
    b.require_complete();
    sdn::Context ctx = make_context();
    const Map x = random_map(32, 3, 4, 8);
    const Map got = to_map(on_host(ctx, block.forward(ctx, on_backend(ctx, to_tensor(x)))));
    EXPECT_EQ(got.H, 6);
    EXPECT_EQ(got.W, 8);
    EXPECT_LT(normalized_error(got, Reference(w).upsample(x, "u")), kTolerance);
}

TEST(VaeBlocks, GroupNormNeedsChannelsDivisibleByThirtyTwo) {
    TinyWeights w;
    w.add_norm("n", 48);
    WeightBinder b(w.lookup(), "");
    try {
        sdn::vae::GroupNorm::bind(b, "n", 48);
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
    }
}

TEST(VaeBlocks, BlockRejectsInputWithTheWrongChannelCount) {
    TinyWeights w;
    w.add_resnet("r", 32, 32);
    WeightBinder b(w.lookup(), "");
    const auto block = sdn::vae::ResnetBlock::bind(b, "r", 32);
    sdn::Context ctx = make_context();
    try {
        block.forward(ctx, on_backend(ctx, to_tensor(random_map(64, 4, 4, 9))));
        FAIL() << "expected an invalid-argument error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
    }
}

}  // namespace
