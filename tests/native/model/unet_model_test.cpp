// The whole tiny UNet against the composition of double-precision block references; progress,
// the UNet hook and cancellation (event-bounded: no clocks).
#include "support/float32_variant.h"
#include "model/unet_model.h"

#include <gtest/gtest.h>

#include "cpu/cpu_backend.h"
#include "core/cpu_features.h"

#include "core/error.h"
#include "unet_reference.h"
#include "unet_test_weights.h"

namespace {

using namespace sdn;

struct UnetFixture : ::testing::Test {
    Context ctx{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    unet_test::InMemoryWeights mem{make_test_model_tensors(TestModelSpec{}, 11)};
    std::unique_ptr<UnetModel> unet = UnetModel::load(mem.lookup(), "model.diffusion_model.", nullptr);
};

Tensor make_tensor(std::vector<int64_t> shape, uint32_t seed) {
    Tensor t(shape);
    const auto v = unet_test::random_values(static_cast<size_t>(t.size()), seed);
    std::copy(v.begin(), v.end(), t.data());
    return t;
}

TEST_F(UnetFixture, BatchOfTwoMatchesReferenceComposition) {
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
    ASSERT_EQ(static_cast<int64_t>(want.size()), eps.size());
    double max_err = 0, max_ref = 0;
    for (int64_t i = 0; i < eps.size(); ++i) {
        ASSERT_TRUE(std::isfinite(eps.data()[i]));
        max_err = std::max(max_err, std::fabs(eps.data()[i] - want[static_cast<size_t>(i)]));
        max_ref = std::max(max_ref, std::fabs(want[static_cast<size_t>(i)]));
    }
    EXPECT_GT(max_ref, 0.1);  // the network does something
    EXPECT_LE(max_err, 1e-3 * std::max(1.0, max_ref));
}

TEST_F(UnetFixture, OddLatentSizeRunsAndMatchesReference) {
    const int64_t B = 1, H = 5, W = 3, T = 3;
    const Tensor x = make_tensor({B, 4, H, W}, 31);
    const Tensor context = make_tensor({B, T, 64}, 32);
    Tensor eps;
    unet->predict_eps(ctx, x, {500.0f}, context, eps);
    const unet_ref::Weights ref(mem.tensors());
    const auto want = unet_ref::tiny_unet(ref, unet_ref::Vec(x.data(), x.data() + x.size()), B, H, W,
                                          {500.0},
                                          unet_ref::Vec(context.data(), context.data() + context.size()), T);
    for (int64_t i = 0; i < eps.size(); ++i)
        ASSERT_NEAR(eps.data()[i], want[static_cast<size_t>(i)], 1e-3) << "at " << i;
}

TEST_F(UnetFixture, RejectsMismatchedContextWidth) {
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

TEST_F(UnetFixture, ReportsEveryBlockAndCallsTheHookAroundTheEvaluation) {
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

TEST_F(UnetFixture, CancelFromProgressStopsBeforeTheBlockAfterNext) {
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

}  // namespace
