// Where the models move data between host and backend: the UNet uploads the latent and the
// conditioning and downloads eps, CLIP downloads its two outputs, the VAE moves one input and
// one output per network call; each makes every weight it binds resident first. A device
// that runs out of memory ends the call with SDN_ERR_OUT_OF_MEMORY naming what did not fit.
#include <gtest/gtest.h>

#include <memory>

#include "core/error.h"
#include "cpu/cpu_backend.h"
#include "model/clip_text_model.h"
#include "model/unet_model.h"
#include "model/vae_model.h"
#include "support/counting_backend.h"
#include "support/float32_variant.h"
#include "unet_test_weights.h"

namespace {

using namespace sdn;

struct BoundaryFixture : ::testing::Test {
    Context ctx{2, sdn_test::float32_cpu_variant()};
    sdn_test::CountingBackend* counter = nullptr;
    unet_test::InMemoryWeights mem{make_test_model_tensors(TestModelSpec{}, 5)};

    void SetUp() override {
        auto counting = std::make_unique<sdn_test::CountingBackend>(cpu::make_cpu_backend(ctx));
        counter = counting.get();
        ctx.set_backend(std::move(counting));
    }
};

Tensor filled(std::vector<int64_t> shape, float value) {
    Tensor t(std::move(shape));
    for (int64_t i = 0; i < t.size(); ++i) t.data()[i] = value * static_cast<float>(i % 7);
    return t;
}

TEST_F(BoundaryFixture, UnetMovesLatentAndConditioningInAndEpsOut) {
    auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    Tensor eps;
    unet->predict_eps(ctx, filled({2, 4, 8, 8}, 0.1f), {500.0f, 20.0f}, filled({2, 7, 64}, 0.05f),
                      eps);
    EXPECT_EQ(counter->uploads, 2);
    EXPECT_EQ(counter->downloads, 1);
    EXPECT_EQ(counter->resident_calls, 1);
    EXPECT_EQ(counter->resident_weights, unet->used_tensors().size());
}

TEST_F(BoundaryFixture, ClipDownloadsOnlyItsOutputs) {
    ClipTextModel clip(mem.lookup());
    std::vector<int32_t> ids(77, 3);
    ids[5] = 7;
    (void)clip.forward(ctx, ids, 1, 77, -2, 7);
    EXPECT_EQ(counter->uploads, 0);    // the ids go in as op arguments
    EXPECT_EQ(counter->downloads, 2);  // hidden states and pooled
    EXPECT_EQ(counter->resident_calls, 1);
    EXPECT_GT(counter->resident_weights, 10u);
}

TEST_F(BoundaryFixture, VaeMovesOneInputAndOneOutputPerNetworkCall) {
    auto vae = Vae::load(mem.lookup(), "first_stage_model.");
    (void)vae->decode(ctx, filled({1, 4, 4, 4}, 0.2f));
    EXPECT_EQ(counter->uploads, 1);
    EXPECT_EQ(counter->downloads, 1);
    (void)vae->encode(ctx, filled({1, 32, 32, 3}, 0.1f));
    EXPECT_EQ(counter->uploads, 2);
    EXPECT_EQ(counter->downloads, 2);
}

TEST_F(BoundaryFixture, AnOutOfMemoryBackendEndsTheUnetCallWithAClearError) {
    auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    counter->allocation_limit = 4096;
    Tensor eps;
    try {
        unet->predict_eps(ctx, filled({2, 4, 8, 8}, 0.1f), {500.0f, 20.0f},
                          filled({2, 7, 64}, 0.05f), eps);
        FAIL() << "the UNet ran within 4 KiB";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_OUT_OF_MEMORY);
        EXPECT_NE(std::string(e.what()).find("UNet"), std::string::npos) << e.what();
    }
}

}  // namespace
