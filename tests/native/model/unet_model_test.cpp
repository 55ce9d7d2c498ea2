// The whole tiny UNet against the composition of double-precision block references; progress,
// the UNet hook and cancellation (event-bounded: no clocks).
#include "support/bf16_error_bound.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "model/unet_model.h"

#include <gtest/gtest.h>

#include "cpu/cpu_backend.h"
#include "core/cpu_features.h"

#include "core/error.h"
#include "unet_reference.h"
#include "unet_test_weights.h"

namespace {

using namespace sdn;

// On the float32 variant and on the default one (bfloat16 products where the CPU has AMX).
struct UnetFixture : ::testing::TestWithParam<sdn_cpu_variant> {
    Context ctx{2, GetParam(), &cpu::make_cpu_backend};
    unet_test::InMemoryWeights mem{make_test_model_tensors(TestModelSpec{}, 11)};
    std::unique_ptr<UnetModel> unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
    void expect_close_to_reference(const Tensor& eps, const unet_ref::Vec& want) const;
};

Tensor make_tensor(std::vector<int64_t> shape, uint32_t seed) {
    Tensor t(shape);
    const auto v = unet_test::random_values(static_cast<size_t>(t.size()), seed);
    std::copy(v.begin(), v.end(), t.data());
    return t;
}

// float32 products: max error within 1e-3 of max(1, max |ref|). bfloat16 products: relative RMS
// error within the deep bound for the whole UNet's products.
void UnetFixture::expect_close_to_reference(const Tensor& eps, const unet_ref::Vec& want) const {
    ASSERT_EQ(static_cast<int64_t>(want.size()), eps.size());
    double max_err = 0, max_ref = 0;
    for (int64_t i = 0; i < eps.size(); ++i) {
        ASSERT_TRUE(std::isfinite(eps.data()[i]));
        max_err = std::max(max_err, std::fabs(eps.data()[i] - want[static_cast<size_t>(i)]));
        max_ref = std::max(max_ref, std::fabs(want[static_cast<size_t>(i)]));
    }
    EXPECT_GT(max_ref, 0.1);  // the network does something
    if (sdn_test::rounds_to_bf16(ctx.cpu_variant())) {
        const std::vector<float> got(eps.data(), eps.data() + eps.size());
        EXPECT_LE(sdn_test::relative_rms(got, want), sdn_test::bf16_deep_bound(sdn_test::unet_products(mem.tensors())));
    } else {
        EXPECT_LE(max_err, 1e-3 * std::max(1.0, max_ref));
    }
}

TEST_P(UnetFixture, BatchOfTwoMatchesReferenceComposition) {
    const int64_t B = 2, H = 8, W = 6, T = 7;
    const Tensor x = make_tensor({B, 4, H, W}, 21);
    const Tensor context = make_tensor({B, T, 64}, 22);
    const std::vector<float> t{999.0f, 1.0f};
    Tensor eps;
    unet->predict_eps(ctx, x, t, context, eps);
    ASSERT_EQ(eps.shape(), (std::vector<int64_t>{B, 4, H, W}));

    const unet_ref::Weights ref(mem.tensors());
    const auto want = unet_ref::tiny_unet(ref, unet_ref::Vec(x.data(), x.data() + x.size()), B, H, W,
                                          {999.0, 1.0},
                                          unet_ref::Vec(context.data(), context.data() + context.size()), T);
    expect_close_to_reference(eps, want);
}

TEST_P(UnetFixture, OddLatentSizeRunsAndMatchesReference) {
    const int64_t B = 1, H = 5, W = 3, T = 3;
    const Tensor x = make_tensor({B, 4, H, W}, 31);
    const Tensor context = make_tensor({B, T, 64}, 32);
    Tensor eps;
    unet->predict_eps(ctx, x, {500.0f}, context, eps);
    const unet_ref::Weights ref(mem.tensors());
    const auto want = unet_ref::tiny_unet(ref, unet_ref::Vec(x.data(), x.data() + x.size()), B, H, W,
                                          {500.0},
                                          unet_ref::Vec(context.data(), context.data() + context.size()), T);
    expect_close_to_reference(eps, want);
}

TEST_P(UnetFixture, RejectsMismatchedContextWidth) {
    Tensor eps;
    try {
        unet->predict_eps(ctx, make_tensor({1, 4, 4, 4}, 1), {1.0f}, make_tensor({1, 3, 63}, 2), eps);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
    }
}

struct Events {
    std::vector<int> unet_steps;
    int total = 0;
    int cancel_at = -1;
    Context* ctx = nullptr;
    std::vector<int> hook;
};

void on_progress(const sdn_progress_t* p, void* user) {
    auto* ev = static_cast<Events*>(user);
    if (p->stage != SDN_STAGE_UNET) return;
    ev->unet_steps.push_back(p->step);
    ev->total = p->total;
    if (p->step == ev->cancel_at) ev->ctx->cancel();
}

void on_hook(int32_t entering, void* user) { static_cast<Events*>(user)->hook.push_back(entering); }

TEST_P(UnetFixture, ReportsEveryBlockAndCallsTheHookAroundTheEvaluation) {
    Events ev;
    ev.ctx = &ctx;
    ctx.set_progress_callback(on_progress, &ev);
    ctx.set_unet_hook(on_hook, &ev);
    Tensor eps;
    unet->predict_eps(ctx, make_tensor({2, 4, 4, 4}, 3), {10.0f, 20.0f}, make_tensor({2, 2, 64}, 4), eps);
    ASSERT_EQ(ev.total, unet->block_count());
    ASSERT_EQ(static_cast<int>(ev.unet_steps.size()), ev.total + 1);
    for (int i = 0; i <= ev.total; ++i) EXPECT_EQ(ev.unet_steps[static_cast<size_t>(i)], i);
    EXPECT_EQ(ev.hook, (std::vector<int>{1, 0}));
}

TEST_P(UnetFixture, CancelFromProgressStopsBeforeTheBlockAfterNext) {
    for (int k : {0, 2, 5}) {
        Events ev;
        ev.ctx = &ctx;
        ev.cancel_at = k;
        ctx.reset_cancel();
        ctx.set_progress_callback(on_progress, &ev);
        ctx.set_unet_hook(on_hook, &ev);
        Tensor eps;
        try {
            unet->predict_eps(ctx, make_tensor({2, 4, 4, 4}, 5), {10.0f, 20.0f},
                              make_tensor({2, 2, 64}, 6), eps);
            FAIL() << "expected cancellation at block " << k;
        } catch (const Error& e) {
            EXPECT_EQ(e.status(), SDN_ERR_CANCELLED);
        }
        ASSERT_FALSE(ev.unet_steps.empty());
        EXPECT_LT(ev.unet_steps.back(), k + 2) << "progress for block k+2 arrived";
        EXPECT_EQ(ev.hook, (std::vector<int>{1, 0})) << "hook must close even on cancel";
    }
    ctx.reset_cancel();
}

INSTANTIATE_TEST_SUITE_P(Variants, UnetFixture, sdn_test::float32_and_default_variants(),
                         sdn_test::variant_test_name);

TEST(UnetLoad, MissingTensorsAreListedByName) {
    auto tensors = make_test_model_tensors(TestModelSpec{}, 1);
    std::vector<TestTensor> kept;
    for (auto& t : tensors)
        if (t.name != "model.diffusion_model.middle_block.1.proj_out.weight" &&
            t.name != "model.diffusion_model.out.2.bias")
            kept.push_back(std::move(t));
    unet_test::InMemoryWeights mem(std::move(kept));
    try {
        UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
        FAIL() << "expected a format error";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        const std::string msg = e.what();
        EXPECT_NE(msg.find("middle_block.1.proj_out.weight"), std::string::npos) << msg;
        EXPECT_NE(msg.find("out.2.bias"), std::string::npos) << msg;
    }
}

TEST(UnetLoad, WrongShapeIsReported) {
    auto tensors = make_test_model_tensors(TestModelSpec{}, 1);
    for (auto& t : tensors)
        if (t.name == "model.diffusion_model.input_blocks.1.0.out_layers.3.weight") {
            t.shape = {32, 32, 1, 9};
        }
    unet_test::InMemoryWeights mem(std::move(tensors));
    try {
        UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
        FAIL() << "expected a format error";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("input_blocks.1.0.out_layers.3.weight has shape"),
                  std::string::npos)
            << e.what();
    }
}

// The tiny SDXL UNet (64-channel heads, linear projections, depth-2 transformers, no
// attention at level 0, the ADM vector into label_emb) against its double reference.
TEST(UnetSdxl, TinySdxlUnetWithTheAdmVectorMatchesTheReference) {
    Context ctx{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    unet_test::InMemoryWeights mem{make_test_model_tensors(tiny_sdxl_spec(), 13)};
    auto unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr, 0, 64);
    unet->set_architecture(SDN_ARCH_SDXL, SDN_PREDICTION_EPS);
    const int64_t adm = unet->adm_channels();
    ASSERT_EQ(adm, tiny_sdxl_spec().adm_pooled_width + 6 * 256);
    EXPECT_EQ(unet->latent_scale(), 0.13025f);
    const Tensor x = make_tensor({1, 4, 6, 6}, 21), context = make_tensor({1, 3, 128}, 22);
    const Tensor y = make_tensor({1, adm}, 23);
    Tensor eps;
    unet->predict(ctx, x, {321.0f}, context, &y, eps);
    const unet_ref::Weights w(mem.tensors());
    auto as_vec = [](const Tensor& t) { return unet_ref::Vec(t.data(), t.data() + t.size()); };
    const unet_ref::Vec want = unet_ref::tiny_sdxl_unet(w, as_vec(x), 1, 6, 6, {321.0}, as_vec(context), 3, as_vec(y));
    ASSERT_EQ(static_cast<int64_t>(want.size()), eps.size());
    double max_err = 0, max_ref = 0;
    for (int64_t i = 0; i < eps.size(); ++i) {
        max_err = std::max(max_err, std::fabs(eps.data()[i] - want[static_cast<size_t>(i)]));
        max_ref = std::max(max_ref, std::fabs(want[static_cast<size_t>(i)]));
    }
    EXPECT_GT(max_ref, 0.1);
    EXPECT_LE(max_err, 1e-3 * std::max(1.0, max_ref));
    // Without its ADM vector the SDXL UNet refuses to run.
    EXPECT_THROW(unet->predict(ctx, x, {321.0f}, context, nullptr, eps), Error);
}

}  // namespace
