// TAESD's encoder against the double-precision reference of taesd_reference.h
// (conv, block, 3x [bias-free stride-2 conv, 3 blocks], conv), and VAELoader's TAESD VAE
// through the C API: encode divides by the latent scale, decode multiplies by it.
#include "model/taesd_encoder.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "core/error.h"
#include "model/taesd_test_writer.h"
#include "sdnative.h"
#include "support/api_context.h"
#include "support/float32_variant.h"
#include "taesd_reference.h"

namespace {

using namespace vae_test;
using taesd_test::TaesdReference;

constexpr double kTolerance = 1e-4;

void add_encoder(TinyWeights& w, int64_t width, uint64_t seed) {
    for (const auto& t : sdn::make_test_taesd_encoder_tensors(width, 4, seed))
        w.add_values(t.name, t.shape, t.values);
}

TEST(TaesdEncoder, NetworkMatchesDoubleReference) {
    TinyWeights w;
    add_encoder(w, 8, 3);
    const auto e = sdn::TaesdEncoder::load(w.lookup(), "", nullptr);
    EXPECT_EQ(e->latent_channels(), 4);
    sdn::Context ctx = make_context();
    Map image = random_map(3, 24, 16, 5);
    for (double& v : image.v) v = double(float(0.5 + 0.25 * v));  // about 0..1
    const Map got = to_map(e->forward(ctx, to_tensor(image)));
    ASSERT_EQ(got.H, 3);
    ASSERT_EQ(got.W, 2);
    EXPECT_LT(normalized_error(got, TaesdReference(w).encoder(image)), kTolerance);
}

TEST(TaesdEncoder, MissingLayersAreNamed) {
    TinyWeights w;
    add_encoder(w, 8, 3);
    w.remove("6.weight");
    try {
        sdn::TaesdEncoder::load(w.lookup(), "", nullptr);
        FAIL() << "expected a format error";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("6.weight"), std::string::npos) << e.what();
    }
}

struct TaesdVaeApi : ::testing::Test {
    void SetUp() override {
        // float32 products, to compare with the double reference at a float32 tolerance.
        ctx = sdn_test::create_api_context(2, sdn_test::Products::Float32);
        ASSERT_NE(ctx, nullptr);
        ASSERT_EQ(sdn_make_test_taesd(ctx, encoder.c_str(), "encoder", 8, 1), SDN_OK);
        ASSERT_EQ(sdn_make_test_taesd(ctx, decoder.c_str(), "decoder", 8, 2), SDN_OK);
    }
    void TearDown() override {
        std::remove(encoder.c_str());
        std::remove(decoder.c_str());
        sdn_context_free(ctx);
    }
    sdn_context* ctx = nullptr;
    const std::string base = ::testing::TempDir() + "sdn_taesd_vae_" + std::to_string(getpid());
    const std::string encoder = base + "_encoder.safetensors", decoder = base + "_decoder.safetensors";
};

TEST_F(TaesdVaeApi, TaesdVaeConvertsRawLatentsWithItsScale) {
    sdn_vae* vae = nullptr;
    const float scale = 0.18215f;
    ASSERT_EQ(sdn_vae_load_taesd(ctx, encoder.c_str(), decoder.c_str(), scale, &vae), SDN_OK)
        << sdn_context_last_error(ctx);
    sdn_taesd* taesd = nullptr;
    ASSERT_EQ(sdn_taesd_load(ctx, decoder.c_str(), &taesd), SDN_OK);

    // A 20x17 image: VAEEncode's crop to 16x16, centred.
    const int64_t dims[4] = {1, 20, 17, 3};
    std::vector<float> pixels(20 * 17 * 3);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = 0.5f + 0.4f * std::sin(0.3f * float(i));
    sdn_tensor *image = nullptr, *latent = nullptr, *decoded = nullptr, *direct = nullptr;
    ASSERT_EQ(sdn_tensor_create(4, dims, pixels.data(), &image), SDN_OK);
    ASSERT_EQ(sdn_vae_encode(ctx, vae, image, nullptr, &latent), SDN_OK) << sdn_context_last_error(ctx);
    int64_t ld[4];
    sdn_tensor_dims(latent, ld);
    EXPECT_EQ(std::vector<int64_t>(ld, ld + 4), (std::vector<int64_t>{1, 4, 2, 2}));

    // The encoder network on the crop (rows 2..17, columns 0..15), divided by the scale.
    TinyWeights w;
    add_encoder(w, 8, 1);  // the file's seed
    Map crop(3, 16, 16);
    for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < 16; ++y)
            for (int64_t x = 0; x < 16; ++x) crop.at(c, y, x) = pixels[size_t(((y + 2) * 17 + x) * 3 + c)];
    const Map want = TaesdReference(w).encoder(crop);
    double worst = 0, scale_of_want = 0;
    for (size_t i = 0; i < want.v.size(); ++i) {
        worst = std::max(worst, std::abs(sdn_tensor_data(latent)[i] - want.v[i] / scale));
        scale_of_want = std::max(scale_of_want, std::abs(want.v[i] / scale));
    }
    EXPECT_LT(worst, kTolerance * scale_of_want);

    // Decoding multiplies by the scale: the preview decoder given the same scale agrees.
    ASSERT_EQ(sdn_vae_decode(ctx, vae, latent, nullptr, &decoded), SDN_OK);
    ASSERT_EQ(sdn_taesd_decode(ctx, taesd, latent, scale, &direct), SDN_OK);
    ASSERT_EQ(sdn_tensor_element_count(decoded), 16 * 16 * 3);
    for (int64_t i = 0; i < 16 * 16 * 3; ++i) ASSERT_EQ(sdn_tensor_data(decoded)[i], sdn_tensor_data(direct)[i]);

    for (sdn_tensor* t : {image, latent, decoded, direct}) sdn_tensor_free(t);
    sdn_taesd_free(taesd);
    sdn_vae_free(vae);
}

TEST_F(TaesdVaeApi, SwappedFilesAreRefusedByName) {
    sdn_vae* vae = nullptr;
    EXPECT_EQ(sdn_vae_load_taesd(ctx, decoder.c_str(), encoder.c_str(), 0.18215f, &vae), SDN_ERR_FORMAT);
    EXPECT_EQ(vae, nullptr);
    const std::string m = sdn_context_last_error(ctx);
    EXPECT_NE(m.find("holds no TAESD encoder"), std::string::npos) << m;
    EXPECT_NE(m.find(decoder), std::string::npos) << m;
    EXPECT_EQ(sdn_vae_load_taesd(ctx, encoder.c_str(), decoder.c_str(), 0.0f, &vae), SDN_ERR_INVALID_ARGUMENT);
}

TEST_F(TaesdVaeApi, ADecoderLivesAsLongAsItsHandleOrTheContextPreviewingWithIt) {
    const int64_t handles = sdn_debug_live_objects(SDN_LIVE_VAES);
    const int64_t files = sdn_debug_live_objects(SDN_LIVE_MAPPED_FILES);
    sdn_taesd* taesd = nullptr;
    ASSERT_EQ(sdn_taesd_load(ctx, decoder.c_str(), &taesd), SDN_OK);
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_VAES), handles + 1);
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_MAPPED_FILES), files + 1);
    sdn_context_set_preview_decoder(ctx, taesd);
    sdn_taesd_free(taesd);
    // The handle is gone; the context still previews with the decoder and its file.
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_VAES), handles);
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_MAPPED_FILES), files + 1);
    sdn_context_set_preview_decoder(ctx, nullptr);
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_MAPPED_FILES), files);
}

}  // namespace
