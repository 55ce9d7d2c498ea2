// The cheap latent -> RGB preview (ComfyUI's SD15 latent_rgb_factors, and SDXL's with bias),
// and the choice between it and the context's preview decoder.
#include <gtest/gtest.h>

#include <memory>

#include "core/error.h"
#include "cpu/cpu_backend.h"

#include "sample/latent_preview.h"

namespace {

TEST(LatentPreview, AppliesSd15FactorsAndMapsMinusOneOneToBytes) {
    sdn::Tensor latent({1, 4, 1, 2});
    latent.data()[0] = 1.0f;  // pixel 0: channel 0 only
    latent.data()[3] = 1.0f;  // pixel 1: channel 1 only
    auto rgb = sdn::latent_to_rgb_preview(latent);
    ASSERT_EQ(rgb.size(), 6u);
    // byte = trunc((v + 1) / 2 * 255) with v = 0.3512, 0.2297, 0.3227 / 0.3250, 0.4974, 0.2350.
    EXPECT_EQ(rgb[0], 172);
    EXPECT_EQ(rgb[1], 156);
    EXPECT_EQ(rgb[2], 168);
    EXPECT_EQ(rgb[3], 168);
    EXPECT_EQ(rgb[4], 190);
    EXPECT_EQ(rgb[5], 157);
}

// Answers every latent [1, C, h, w] with a [1, 2h, 3w, 3] image whose value at element i is
// i / n (so bytes are trunc(i / n * 255)), and records the latent it saw.
class GradientDecoder : public sdn::PreviewDecoder {
public:
    sdn::Tensor decode_preview(sdn::Context&, const sdn::Tensor& latent) const override {
        seen = latent;
        sdn::Tensor image({1, latent.dim(2) * 2, latent.dim(3) * 3, 3});
        for (int64_t i = 0; i < image.size(); ++i) image.data()[i] = float(i) / float(image.size());
        return image;
    }
    mutable sdn::Tensor seen;
};

sdn::Tensor batch_of_two() {
    sdn::Tensor latent({2, 4, 2, 3});
    for (int64_t i = 0; i < latent.size(); ++i) latent.data()[i] = 0.05f * float(i % 17) - 0.4f;
    return latent;
}

TEST(LatentPreview, UsesTheContextsDecoderOnTheFirstItemWhenItHasOne) {
    sdn::Context ctx(1, SDN_CPU_VARIANT_SCALAR, &sdn::cpu::make_cpu_backend);
    auto decoder = std::make_shared<GradientDecoder>();
    ctx.set_preview_decoder(decoder);
    const sdn::Tensor latent = batch_of_two();
    const sdn::PreviewImage p = sdn::make_preview(ctx, latent);
    EXPECT_EQ(p.height, 4);
    EXPECT_EQ(p.width, 9);
    ASSERT_EQ(p.rgb.size(), size_t(4 * 9 * 3));
    for (size_t i = 0; i < p.rgb.size(); ++i)
        ASSERT_EQ(p.rgb[i], static_cast<uint8_t>(float(i) / float(p.rgb.size()) * 255.0f)) << i;
    ASSERT_EQ(decoder->seen.shape(), (std::vector<int64_t>{1, 4, 2, 3}));
    for (int64_t i = 0; i < decoder->seen.size(); ++i) EXPECT_EQ(decoder->seen.data()[i], latent.data()[i]);
}

TEST(LatentPreview, FallsBackToTheProjectionWithoutADecoder) {
    sdn::Context ctx(1, SDN_CPU_VARIANT_SCALAR, &sdn::cpu::make_cpu_backend);
    const sdn::Tensor latent = batch_of_two();
    const sdn::PreviewImage p = sdn::make_preview(ctx, latent);
    EXPECT_EQ(p.height, 2);
    EXPECT_EQ(p.width, 3);
    EXPECT_EQ(p.rgb, sdn::latent_to_rgb_preview(latent, 0));
    ctx.set_preview_decoder(std::make_shared<GradientDecoder>());
    ctx.set_preview_decoder(nullptr);  // cleared: the projection again
    EXPECT_EQ(sdn::make_preview(ctx, latent).rgb, sdn::latent_to_rgb_preview(latent, 0));
}

TEST(LatentPreview, LatentsWiderThan64AreAveragedDownForTheDecoder) {
    // 130 x 70: k = ceil(130 / 64) = 3, so 43 x 23 blocks of 3 x 3 (the last row and column
    // of the 130 x 70 are left over).
    sdn::Tensor latent({2, 4, 130, 70});
    for (int64_t i = 0; i < latent.size(); ++i) latent.data()[i] = float(i % 1000) * 0.001f;
    const sdn::Tensor small = sdn::preview_decoder_input(latent);
    ASSERT_EQ(small.shape(), (std::vector<int64_t>{1, 4, 43, 23}));
    // Channel 2, block (5, 7): latent rows 15..17, columns 21..23.
    double sum = 0;
    for (int64_t y = 15; y < 18; ++y)
        for (int64_t x = 21; x < 24; ++x) sum += latent.data()[(2 * 130 + y) * 70 + x];
    EXPECT_NEAR(small.data()[(2 * 43 + 5) * 23 + 7], sum / 9, 1e-6);
    // Up to 64 x 64 the decoder sees item 0 unchanged.
    const sdn::Tensor same = sdn::preview_decoder_input(batch_of_two());
    ASSERT_EQ(same.shape(), (std::vector<int64_t>{1, 4, 2, 3}));
    for (int64_t i = 0; i < same.size(); ++i) EXPECT_EQ(same.data()[i], batch_of_two().data()[i]);
}

// Fails like a decoder given a latent of the wrong width, or cancels.
class FailingDecoder : public sdn::PreviewDecoder {
public:
    explicit FailingDecoder(sdn_status status) : status_(status) {}
    sdn::Tensor decode_preview(sdn::Context&, const sdn::Tensor&) const override {
        sdn::fail(status_, "TAESD decode: expected a latent [1, 16, h, w]");
    }

private:
    sdn_status status_;
};

TEST(LatentPreview, ADecoderThatFailsGivesWayToTheProjectionButACancelStops) {
    sdn::Context ctx(1, SDN_CPU_VARIANT_SCALAR, &sdn::cpu::make_cpu_backend);
    const sdn::Tensor latent = batch_of_two();
    ctx.set_preview_decoder(std::make_shared<FailingDecoder>(SDN_ERR_INVALID_ARGUMENT));
    const sdn::PreviewImage p = sdn::make_preview(ctx, latent);
    EXPECT_EQ(p.width, 3);
    EXPECT_EQ(p.rgb, sdn::latent_to_rgb_preview(latent, 0));
    ctx.set_preview_decoder(std::make_shared<FailingDecoder>(SDN_ERR_CANCELLED));
    EXPECT_THROW(sdn::make_preview(ctx, latent), sdn::Error);
}

TEST(LatentPreview, ImageBytesTruncateAndClamp) {
    sdn::Tensor image({2, 1, 2, 3});
    const float values[12] = {0.0f, 0.5f, 1.0f, -0.2f, 1.7f, 0.999f, 9, 9, 9, 9, 9, 9};
    std::copy(values, values + 12, image.data());
    EXPECT_EQ(sdn::image_to_rgb_bytes(image, 0), (std::vector<uint8_t>{0, 127, 255, 0, 255, 254}));
    EXPECT_EQ(sdn::image_to_rgb_bytes(image, 1), (std::vector<uint8_t>(6, 255)));
}

TEST(LatentPreview, AppliesSdxlFactorsWithTheirBias) {
    sdn::Tensor latent({1, 4, 1, 2});
    latent.data()[0] = 1.0f;  // pixel 0: channel 0 only; pixel 1: zeros, so the bias alone
    auto rgb = sdn::latent_to_rgb_preview(latent, 0, sdn::LatentFormat::Sdxl);
    ASSERT_EQ(rgb.size(), 6u);
    // v = 0.3651 + 0.1084, 0.4232 - 0.0175, 0.4341 - 0.0011; then 0.1084, -0.0175, -0.0011.
    EXPECT_EQ(rgb[0], 187);
    EXPECT_EQ(rgb[1], 179);
    EXPECT_EQ(rgb[2], 182);
    EXPECT_EQ(rgb[3], 141);
    EXPECT_EQ(rgb[4], 125);
    EXPECT_EQ(rgb[5], 127);
}

}  // namespace

