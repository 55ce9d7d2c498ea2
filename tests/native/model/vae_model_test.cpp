// The whole tiny autoencoder against the composed double reference, plus the ComfyUI
// VAEEncode / VAEDecode conventions around it: 0..1 <-> -1..1, NHWC, crop to multiples of 8,
// clamp, progress, cancellation and the errors for bad input.
#include "model/vae_model.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/error.h"
#include "vae_test_support.h"

namespace {

using namespace vae_test;

constexpr double kTolerance = 1e-4;  // whole network in f32 against double, normalised

// An NHWC image in 0..1 with smooth content plus a little per-pixel variation.
sdn::Tensor make_image(int64_t B, int64_t H, int64_t W, int64_t C, uint32_t seed) {
    sdn::Tensor t({B, H, W, C});
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 0.1f);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t y = 0; y < H; ++y)
            for (int64_t x = 0; x < W; ++x)
                for (int64_t c = 0; c < C; ++c)
                    t.data()[((b * H + y) * W + x) * C + c] =
                        0.45f + 0.4f * std::sin(0.2f * x + 0.3f * y + float(c + b)) * 0.9f + u(rng);
    return t;
}

// Channel-major -1..1 map of one item of an NHWC image, over a window.
Map image_window(const sdn::Tensor& img, int64_t b, int64_t y0, int64_t x0, int64_t h, int64_t w) {
    const int64_t H = img.dim(1), W = img.dim(2), C = img.dim(3);
    Map m(3, h, w);
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < h; ++y)
            for (int64_t x = 0; x < w; ++x)
                m.at(c, y, x) = double(img.data()[((b * H + y0 + y) * W + x0 + x) * C + c]) * 2.0 - 1.0;
    return m;
}

struct TinyVae {
    TinyWeights weights;
    TinyConfig config;
    std::unique_ptr<sdn::Vae> vae;
    explicit TinyVae(const std::string& prefix = "", sdn::DType type = sdn::DType::F32,
                     bool linear_attention = false)
        : weights(99, type) {
        add_tiny_vae(weights, prefix, config, linear_attention);
        vae = sdn::Vae::load(weights.lookup(), prefix);
    }
};

TEST(VaeModel, ReadsShapeFromTheWeights) {
    TinyVae t;
    EXPECT_EQ(t.vae->downscale(), 8);
    EXPECT_EQ(t.vae->latent_channels(), 4);
    // encoder: 4 levels x 1 block + 3 downsamplers + mid (3) + out (1)
    EXPECT_EQ(t.vae->encode_block_count(), 4 + 3 + 3 + 1);
    // decoder: mid (3) + 4 levels x 2 blocks + 3 upsamplers + out (1)
    EXPECT_EQ(t.vae->decode_block_count(), 3 + 8 + 3 + 1);
}

TEST(VaeModel, FullSizeSd1LayoutRunsLikeTheReference) {
    // SD1's real widths and depths (ch 128, mult 1,2,4,4, 2 encoder / 3 decoder blocks per
    // level: the same 248 names and shapes as a real checkpoint) on the smallest inputs.
    TinyConfig config;
    config.ch = 128;
    config.mult = {1, 2, 4, 4};
    config.encoder_blocks = 2;
    config.decoder_blocks = 3;
    TinyWeights w(3, sdn::DType::F16);
    add_tiny_vae(w, "first_stage_model.", config);
    const auto vae = sdn::Vae::load(w.lookup(), "first_stage_model.");
    EXPECT_EQ(vae->downscale(), 8);
    EXPECT_EQ(vae->encode_block_count(), 8 + 3 + 3 + 1);
    EXPECT_EQ(vae->decode_block_count(), 3 + 12 + 3 + 1);

    sdn::Context ctx = make_context();
    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, 100);
    const Reference ref(w);
    const Map z = random_map(4, 1, 2, 51);
    EXPECT_LT(normalized_error(to_map(vae->decode_raw(ctx, to_tensor(z), progress)),
                               ref.decode_raw(z, "first_stage_model.", config)),
              2e-3);
    const Map x = random_map(3, 8, 16, 52, 0.5);
    EXPECT_LT(normalized_error(to_map(vae->encode_mean(ctx, to_tensor(x), progress)),
                               ref.encode_mean(x, "first_stage_model.", config)),
              2e-3);
}

TEST(VaeModel, EncodeIsThePosteriorMeanOfTheReference) {
    TinyVae t("first_stage_model.");
    sdn::Context ctx = make_context();
    const sdn::Tensor image = make_image(2, 24, 32, 3, 5);
    const sdn::Tensor latent = t.vae->encode(ctx, image);
    ASSERT_EQ(latent.shape(), (std::vector<int64_t>{2, 4, 3, 4}));
    const Reference ref(t.weights);
    for (int64_t b = 0; b < 2; ++b) {
        const Map want = ref.encode_mean(image_window(image, b, 0, 0, 24, 32), "first_stage_model.", t.config);
        EXPECT_LT(normalized_error(to_map(latent, b), want), kTolerance) << "item " << b;
    }
}

TEST(VaeModel, DecodeIsTheClampedReferenceInNhwc) {
    TinyVae t;
    sdn::Context ctx = make_context();
    const Map z0 = random_map(4, 3, 2, 11), z1 = random_map(4, 3, 2, 12);
    sdn::Tensor latent({2, 4, 3, 2});
    std::copy(z0.v.begin(), z0.v.end(), latent.data());
    std::copy(z1.v.begin(), z1.v.end(), latent.data() + z0.v.size());
    const sdn::Tensor image = t.vae->decode(ctx, latent);
    ASSERT_EQ(image.shape(), (std::vector<int64_t>{2, 24, 16, 3}));
    const Reference ref(t.weights);
    int clamped = 0;
    for (int64_t b = 0; b < 2; ++b) {
        const Map raw = ref.decode_raw(b ? z1 : z0, "", t.config);
        Map want(3, 24, 16), got(3, 24, 16);
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t y = 0; y < 24; ++y)
                for (int64_t x = 0; x < 16; ++x) {
                    const double v = (raw.at(c, y, x) + 1.0) / 2.0;
                    clamped += v < 0 || v > 1;
                    want.at(c, y, x) = std::min(1.0, std::max(0.0, v));
                    got.at(c, y, x) = image.data()[((b * 24 + y) * 16 + x) * 3 + c];
                }
        EXPECT_LT(normalized_error(got, want), kTolerance) << "item " << b;
    }
    for (int64_t i = 0; i < image.size(); ++i) {
        ASSERT_GE(image.data()[i], 0.0f);
        ASSERT_LE(image.data()[i], 1.0f);
    }
    EXPECT_GT(clamped, 0) << "the test latent should exercise the clamp";
}

TEST(VaeModel, DecodeReportsItsActivationPeakAsScratch) {
    TinyVae t;
    sdn::Context ctx = make_context();
    t.vae->decode(ctx, sdn::Tensor({1, 4, 8, 8}));
    // The last level runs 32 channels at 64 x 64: a resnet block holds its input, the normed
    // copy and the conv output at once (far more than any kernel's own scratch).
    EXPECT_GE(ctx.peak_scratch_bytes(), int64_t(3 * 32 * 64 * 64 * sizeof(float)));
}

TEST(VaeModel, LinearShapedAttentionWeightsGiveTheSameNetwork) {
    TinyVae t("", sdn::DType::F32, /*linear_attention=*/true);
    sdn::Context ctx = make_context();
    const Map z = random_map(4, 2, 2, 13);
    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, 100);
    const Map got = to_map(t.vae->decode_raw(ctx, to_tensor(z), progress));
    EXPECT_LT(normalized_error(got, Reference(t.weights).decode_raw(z, "", t.config)), kTolerance);
}

TEST(VaeModel, HalfPrecisionWeightsMatchTheReferenceOnTheSameValues) {
    TinyVae t("", sdn::DType::F16);
    sdn::Context ctx = make_context();
    const Map z = random_map(4, 2, 3, 14);
    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, 100);
    const Map got = to_map(t.vae->decode_raw(ctx, to_tensor(z), progress));
    EXPECT_LT(normalized_error(got, Reference(t.weights).decode_raw(z, "", t.config)), 2e-3);
}

TEST(VaeModel, EncodeCropsToMultiplesOfEightCentred) {
    TinyVae t;
    sdn::Context ctx = make_context();
    // 70 x 67: 64 x 64 kept, from row (70 % 8) / 2 = 3 and column (67 % 8) / 2 = 1.
    sdn::Tensor image = make_image(1, 70, 67, 4, 21);  // 4 channels: alpha is dropped
    const sdn::Tensor latent = t.vae->encode(ctx, image);
    ASSERT_EQ(latent.shape(), (std::vector<int64_t>{1, 4, 8, 8}));

    sdn::Tensor cropped({1, 64, 64, 3});
    for (int64_t y = 0; y < 64; ++y)
        for (int64_t x = 0; x < 64; ++x)
            for (int64_t c = 0; c < 3; ++c)
                cropped.data()[(y * 64 + x) * 3 + c] = image.data()[((y + 3) * 67 + x + 1) * 4 + c];
    const sdn::Tensor expected = t.vae->encode(ctx, cropped);
    for (int64_t i = 0; i < latent.size(); ++i) ASSERT_EQ(latent.data()[i], expected.data()[i]) << i;

    // Pixels outside the kept window, and alpha, do not matter.
    for (int64_t x = 0; x < 67; ++x)
        for (int64_t c = 0; c < 4; ++c) {
            image.data()[(0 * 67 + x) * 4 + c] = 1.0f;
            image.data()[(69 * 67 + x) * 4 + c] = 0.0f;
        }
    for (int64_t y = 0; y < 70; ++y) {
        image.data()[(y * 67 + 0) * 4 + 0] = 0.0f;
        image.data()[(y * 67 + 66) * 4 + 1] = 1.0f;
        image.data()[(y * 67 + 30) * 4 + 3] = 0.5f;
    }
    const sdn::Tensor again = t.vae->encode(ctx, image);
    for (int64_t i = 0; i < latent.size(); ++i) ASSERT_EQ(again.data()[i], latent.data()[i]) << i;
}

TEST(VaeModel, MissingTensorsAreAllNamed) {
    TinyWeights w;
    add_tiny_vae(w, "first_stage_model.");
    w.remove("first_stage_model.decoder.mid.attn_1.q.weight");
    w.remove("first_stage_model.quant_conv.bias");
    try {
        sdn::Vae::load(w.lookup(), "first_stage_model.");
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        const std::string m = e.what();
        EXPECT_NE(m.find("first_stage_model.decoder.mid.attn_1.q.weight"), std::string::npos) << m;
        EXPECT_NE(m.find("first_stage_model.quant_conv.bias"), std::string::npos) << m;
    }
}

TEST(VaeModel, MissingDownsamplerIsReported) {
    TinyWeights w;
    add_tiny_vae(w, "");
    w.remove("encoder.down.1.downsample.conv.weight");
    try {
        sdn::Vae::load(w.lookup(), "");
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("encoder.down.1.downsample.conv.weight"), std::string::npos);
    }
}

sdn_status status_of(const std::function<void()>& f, std::string* message = nullptr) {
    try {
        f();
    } catch (const sdn::Error& e) {
        if (message) *message = e.what();
        return e.status();
    }
    return SDN_OK;
}

TEST(VaeModel, BadShapesAreInvalidArguments) {
    TinyVae t;
    sdn::Context ctx = make_context();
    std::string m;
    EXPECT_EQ(status_of([&] { t.vae->decode(ctx, sdn::Tensor({1, 3, 4, 4})); }, &m),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(m.find("latent"), std::string::npos) << m;
    EXPECT_EQ(status_of([&] { t.vae->decode(ctx, sdn::Tensor({4, 4, 4})); }), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of([&] { t.vae->encode(ctx, sdn::Tensor({1, 16, 16, 2})); }, &m),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(m.find("image"), std::string::npos) << m;
    EXPECT_EQ(status_of([&] { t.vae->encode(ctx, sdn::Tensor({1, 7, 64, 3})); }, &m),
              SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(status_of([&] { t.vae->encode(ctx, sdn::Tensor({16, 16, 3})); }), SDN_ERR_INVALID_ARGUMENT);
}

struct ProgressLog {
    std::vector<sdn_progress_t> events;
    int cancel_at = -1;
    sdn::Context* ctx = nullptr;
};

void record_progress(const sdn_progress_t* p, void* user) {
    auto* log = static_cast<ProgressLog*>(user);
    log->events.push_back(*p);
    if (p->step == log->cancel_at) log->ctx->cancel();
}

TEST(VaeModel, ReportsOneProgressStepPerBlock) {
    TinyVae t;
    sdn::Context ctx = make_context();
    ProgressLog log;
    ctx.set_progress_callback(record_progress, &log);
    t.vae->decode(ctx, sdn::Tensor({2, 4, 2, 2}));
    const int total = 2 * t.vae->decode_block_count();
    ASSERT_EQ(log.events.size(), size_t(total + 1));
    for (int i = 0; i <= total; ++i) {
        EXPECT_EQ(log.events[size_t(i)].stage, SDN_STAGE_VAE_DECODE);
        EXPECT_EQ(log.events[size_t(i)].step, i);
        EXPECT_EQ(log.events[size_t(i)].total, total);
    }
    log.events.clear();
    t.vae->encode(ctx, make_image(1, 16, 16, 3, 1));
    ASSERT_EQ(log.events.size(), size_t(t.vae->encode_block_count() + 1));
    EXPECT_EQ(log.events.back().stage, SDN_STAGE_VAE_ENCODE);
}

TEST(VaeModel, CancelFromTheProgressCallbackStopsBeforeTheBlockAfterNext) {
    TinyVae t;
    for (int k : {0, 1, 5, 10}) {  // both passes have more than 10 blocks
        sdn::Context ctx = make_context();
        ProgressLog log;
        log.cancel_at = k;
        log.ctx = &ctx;
        ctx.set_progress_callback(record_progress, &log);
        EXPECT_EQ(status_of([&] { t.vae->decode(ctx, sdn::Tensor({1, 4, 2, 2})); }), SDN_ERR_CANCELLED);
        ASSERT_FALSE(log.events.empty());
        EXPECT_LT(log.events.back().step, k + 2) << "cancelled at " << k;

        sdn::Context ctx2 = make_context();
        log.events.clear();
        log.ctx = &ctx2;
        ctx2.set_progress_callback(record_progress, &log);
        EXPECT_EQ(status_of([&] { t.vae->encode(ctx2, make_image(1, 16, 16, 3, 2)); }), SDN_ERR_CANCELLED);
        EXPECT_LT(log.events.back().step, k + 2) << "cancelled at " << k;
    }
}

TEST(VaeModel, CancelRequestedBeforeTheCallStopsItBeforeAnyBlock) {
    // A cancel from another thread lands between reports; every convolution checks for it.
    TinyVae t;
    sdn::Context ctx = make_context();
    ProgressLog log;
    ctx.set_progress_callback(record_progress, &log);
    ctx.cancel();
    sdn::vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, 100);
    EXPECT_EQ(status_of([&] { t.vae->decode_raw(ctx, sdn::Tensor({1, 4, 2, 2}), progress); }),
              SDN_ERR_CANCELLED);
    EXPECT_TRUE(log.events.empty());
}

}  // namespace
