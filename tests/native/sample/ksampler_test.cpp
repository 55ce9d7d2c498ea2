// The KSampler loop with a fake EPS model written here: initial noising, latent scaling,
// CFG and batching, area averaging with edge ramps, noise-mask inpainting, ancestral noise
// seeding, progress, previews and cancellation through the C API.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <unistd.h>
#include <memory>
#include <string>
#include <vector>

#include "api/model_handle.h"
#include "core/context.h"
#include "sample/ksampler.h"
#include "sample/schedulers.h"
#include "sample/torch_rng.h"
#include "sample_call.h"
#include "sdnative.h"
#include "support/api_context.h"

namespace {

constexpr double kScale = 0.18215;

// eps = a * x_in + context[b, 0, 0]: a per-item constant chosen by the conditioning.
class FakeModel : public sdn::DiffusionModel {
public:
    explicit FakeModel(float a = 0.0f) : a_(a) {}
    void predict_eps(sdn::Context& ctx, const sdn::Tensor& x_in, const std::vector<float>& timesteps,
                     const sdn::Tensor& context, sdn::Tensor& eps_out) override {
        ctx.check_cancelled();
        calls.push_back({x_in.dim(0), context.dim(1), timesteps.empty() ? -1.0f : timesteps[0]});
        if (first_x_in.empty()) first_x_in = x_in;
        eps_out.reset(x_in.shape());
        const int64_t per = x_in.size() / x_in.dim(0);
        for (int64_t b = 0; b < x_in.dim(0); ++b) {
            const float c = context.data()[b * context.dim(1) * context.dim(2)];
            for (int64_t k = 0; k < per; ++k)
                eps_out.data()[b * per + k] = a_ * x_in.data()[b * per + k] + c;
        }
    }
    struct Call {
        int64_t batch;
        int64_t tokens;
        float timestep;
    };
    std::vector<Call> calls;
    sdn::Tensor first_x_in;

private:
    float a_;
};

sdn::Tensor tokens_filled(float value, int64_t n_tokens = 77, int64_t width = 8) {
    sdn::Tensor t({1, n_tokens, width});
    std::fill(t.data(), t.data() + t.size(), value);
    return t;
}

sdn::Conditioning cond_of(const sdn::Tensor& tokens) {
    sdn::Conditioning c;
    c.tokens = &tokens;
    return c;
}

struct KSamplerLoop : ::testing::Test {
    sdn::Context ctx{1, SDN_CPU_VARIANT_SCALAR};
    FakeModel model;
    sdn::Tensor pos_tokens = tokens_filled(1.0f);
    sdn::Tensor neg_tokens = tokens_filled(-2.0f);
    sdn::Tensor latent{std::vector<int64_t>{1, 4, 8, 8}};

    sdn::Tensor run(const sdn::KSamplerParams& p, std::vector<sdn::Conditioning> pos = {},
                    std::vector<sdn::Conditioning> neg = {}, const sdn::Tensor* mask = nullptr) {
        if (pos.empty()) pos = {cond_of(pos_tokens)};
        if (neg.empty()) neg = {cond_of(neg_tokens)};
        sdn::LatentInput in;
        in.samples = &latent;
        in.noise_mask = mask;
        return sdn::ksample(ctx, model, p, pos, neg, in);
    }
};

sdn::KSamplerParams one_step_euler(double cfg = 1.0) {
    sdn::KSamplerParams p;
    p.sampler = "euler";
    p.scheduler = "normal";
    p.steps = 1;
    p.seed = 42;
    p.cfg = cfg;
    return p;
}

TEST_F(KSamplerLoop, TxtToImgNoiseIsScaledBySqrtOnePlusSigmaMaxSquared) {
    // eps = 0 with a zero-token cond: denoised = x, so one Euler step leaves x unchanged.
    sdn::Tensor zero_tokens = tokens_filled(0.0f);
    auto out = run(one_step_euler(), {cond_of(zero_tokens)}, {cond_of(zero_tokens)});
    auto noise = sdn::prepare_noise({1, 4, 8, 8}, 42);
    const double smax = 14.614641;
    const double factor = std::sqrt(1 + smax * smax);  // ~14.64881
    for (int64_t k = 0; k < out.size(); ++k)
        EXPECT_NEAR(out.data()[k], noise.data()[k] * factor / kScale, 2e-3) << k;
    // The model saw x / sqrt(sigma^2 + 1) = the unit noise, at integer timestep 999.
    ASSERT_EQ(model.calls.size(), 1u);
    EXPECT_EQ(model.calls[0].timestep, 999.0f);
    for (int64_t k = 0; k < 16; ++k) EXPECT_NEAR(model.first_x_in.data()[k], noise.data()[k], 1e-5);
}

TEST_F(KSamplerLoop, PartialDenoiseUsesSigma0AndScalesTheLatent) {
    for (int64_t k = 0; k < latent.size(); ++k) latent.data()[k] = 0.5f + 0.01f * static_cast<float>(k % 7);
    sdn::Tensor zero_tokens = tokens_filled(0.0f);
    auto p = one_step_euler();
    p.steps = 20;
    p.denoise = 0.5;
    p.end_step = 0;  // KSamplerAdvanced range with no step left: the input comes back as is
    auto unchanged = run(p, {cond_of(zero_tokens)}, {cond_of(zero_tokens)});
    for (int64_t k = 0; k < latent.size(); ++k) EXPECT_EQ(unchanged.data()[k], latent.data()[k]);
    EXPECT_TRUE(model.calls.empty());

    p.end_step = 10000;
    p.steps = 1;
    p.denoise = 0.5;  // int(1/0.5) = 2-step normal schedule, last 2 values: [sigma(t=0..), 0]
    auto sig = sdn::scheduler_sigmas("normal", sdn::DiscreteSchedule::sd15(), 2);
    const double s0 = sig[1];
    auto out = run(p, {cond_of(zero_tokens)}, {cond_of(zero_tokens)});
    auto noise = sdn::prepare_noise({1, 4, 8, 8}, 42);
    for (int64_t k = 0; k < out.size(); ++k)
        EXPECT_NEAR(out.data()[k], (noise.data()[k] * s0 + latent.data()[k] * kScale) / kScale, 1e-4);
}

TEST_F(KSamplerLoop, CfgCombinesDenoisedPredictionsInOneBatchedCall) {
    const double cfg = 7.5;
    auto out = run(one_step_euler(cfg));
    ASSERT_EQ(model.calls.size(), 1u);
    EXPECT_EQ(model.calls[0].batch, 2);  // cond and uncond together
    auto noise = sdn::prepare_noise({1, 4, 8, 8}, 42);
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    const double x0f = std::sqrt(1 + smax * smax);
    // cond eps = 1, uncond eps = -2: guided denoised = x - smax * (-2 + (1 - -2) * cfg).
    for (int64_t k = 0; k < out.size(); ++k) {
        const double x0 = noise.data()[k] * x0f;
        const double want = (x0 - smax * (-2.0 + 3.0 * cfg)) / kScale;
        EXPECT_NEAR(out.data()[k], want, 1e-3 * std::max(1.0, std::fabs(want))) << k;
    }
}

TEST_F(KSamplerLoop, CfgOneSkipsTheUncondPass) {
    auto out = run(one_step_euler(1.0));
    ASSERT_EQ(model.calls.size(), 1u);
    EXPECT_EQ(model.calls[0].batch, 1);
    auto noise = sdn::prepare_noise({1, 4, 8, 8}, 42);
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    const double want0 = (noise.data()[0] * std::sqrt(1 + smax * smax) - smax * 1.0) / kScale;
    EXPECT_NEAR(out.data()[0], want0, 1e-3);
}

TEST_F(KSamplerLoop, CfgPpSamplersEvaluateTheUncondEvenAtCfgOne) {
    auto p = one_step_euler(1.0);
    p.sampler = "euler_cfg_pp";
    auto out = run(p);
    ASSERT_EQ(model.calls.size(), 1u);
    EXPECT_EQ(model.calls[0].batch, 2);
    // One step to 0 lands on the guided prediction: cfg 1 -> the cond prediction.
    auto noise = sdn::prepare_noise({1, 4, 8, 8}, 42);
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    EXPECT_NEAR(out.data()[0], (noise.data()[0] * std::sqrt(1 + smax * smax) - smax) / kScale, 1e-3);
}

TEST_F(KSamplerLoop, DifferentTokenLengthsBatchUpToLcmRatioFour) {
    sdn::Tensor neg_154 = tokens_filled(-2.0f, 154);
    run(one_step_euler(5.0), {}, {cond_of(neg_154)});
    ASSERT_EQ(model.calls.size(), 1u);
    EXPECT_EQ(model.calls[0].batch, 2);
    EXPECT_EQ(model.calls[0].tokens, 154);

    model.calls.clear();
    sdn::Tensor neg_385 = tokens_filled(-2.0f, 385);  // lcm(77, 385) / 77 = 5 > 4
    run(one_step_euler(5.0), {}, {cond_of(neg_385)});
    ASSERT_EQ(model.calls.size(), 2u);
    EXPECT_EQ(model.calls[0].batch, 1);
    EXPECT_EQ(model.calls[1].batch, 1);
}

TEST_F(KSamplerLoop, AreaCondsAverageWithEdgeRamp) {
    latent.reset({1, 4, 16, 16});
    sdn::Tensor full_tokens = tokens_filled(1.0f), area_tokens = tokens_filled(3.0f);
    sdn::Conditioning full = cond_of(full_tokens), area = cond_of(area_tokens);
    area.has_area = true;
    area.area_h = 16;
    area.area_w = 8;
    area.area_y = 0;
    area.area_x = 8;
    auto out = run(one_step_euler(1.0), {full, area}, {});
    auto noise = sdn::prepare_noise({1, 4, 16, 16}, 42);
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    const double x0f = std::sqrt(1 + smax * smax);
    // rr = min(8, 8/4) = 2: column 8 gets weight 1/2, column 9 onwards weight 1; the area
    // touches the right edge, so no ramp there.
    for (int64_t col = 0; col < 16; ++col) {
        const double m = col < 8 ? 0.0 : (col == 8 ? 0.5 : 1.0);
        const double eps = (1.0 * 1.0 + 3.0 * m) / (1.0 + m);
        const int64_t k = (2 * 16 + 5) * 16 + col;  // channel 0, row 5
        const double want = (noise.data()[k] * x0f - smax * eps) / kScale;
        EXPECT_NEAR(out.data()[k], want, 1e-3 * std::max(1.0, std::fabs(want))) << "col " << col;
    }
    // Different crop shapes: the full entry and the area entry run as two calls.
    EXPECT_EQ(model.calls.size(), 2u);
}

TEST_F(KSamplerLoop, NoiseMaskKeepsUnmaskedRegion) {
    latent.reset({1, 4, 16, 16});
    for (int64_t k = 0; k < latent.size(); ++k) latent.data()[k] = 0.3f * std::sin(0.1f * static_cast<float>(k));
    // Pixel-space mask 128x128: left half 1 (resample), right half 0 (keep).
    sdn::Tensor mask({128, 128});
    for (int64_t y = 0; y < 128; ++y)
        for (int64_t x = 0; x < 128; ++x) mask.data()[y * 128 + x] = x < 64 ? 1.0f : 0.0f;
    auto p = one_step_euler();
    p.steps = 3;
    auto out = run(p, {}, {}, &mask);
    auto noise = sdn::prepare_noise({1, 4, 16, 16}, 42);
    for (int64_t c = 0; c < 4; ++c)
        for (int64_t y = 0; y < 16; ++y) {
            const int64_t keep = (c * 16 + y) * 16 + 12, redo = (c * 16 + y) * 16 + 3;
            EXPECT_NEAR(out.data()[keep], latent.data()[keep], 1e-4);
            EXPECT_GT(std::fabs(out.data()[redo] - latent.data()[redo]), 1e-2);
        }
    // First model input in the kept region: (latent*scale + noise*sigma) / sqrt(sigma^2+1).
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    const int64_t k = 5 * 16 + 14;
    const double want = (latent.data()[k] * kScale + noise.data()[k] * smax) / std::sqrt(smax * smax + 1);
    EXPECT_NEAR(model.first_x_in.data()[k], want, 1e-4);
}

TEST_F(KSamplerLoop, DdimInpaintNoiseIsSeedPlusOne) {
    latent.reset({1, 4, 16, 16});
    sdn::Tensor mask({16, 16});
    for (int64_t i = 0; i < 256; ++i) mask.data()[i] = (i % 16) < 8 ? 1.0f : 0.0f;
    auto p = one_step_euler();
    p.sampler = "ddim";
    run(p, {}, {}, &mask);
    auto other = sdn::prepare_noise({1, 4, 16, 16}, 43);  // a full-shape randn seeded seed+1
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    const int64_t k = 3 * 16 + 12;
    EXPECT_NEAR(model.first_x_in.data()[k], other.data()[k] * smax / std::sqrt(smax * smax + 1), 1e-4);
}

TEST_F(KSamplerLoop, EulerAncestralDrawsFromASeedPlusOneGenerator) {
    // eps = 0: d = 0, so x only gains noise * sigma_up each step (sigma_down != 0).
    sdn::Tensor zero_tokens = tokens_filled(0.0f);
    auto p = one_step_euler();
    p.sampler = "euler_ancestral";
    p.steps = 3;
    p.add_noise = false;  // x starts at zero: the result is the ancestral noise alone
    auto out = run(p, {cond_of(zero_tokens)}, {cond_of(zero_tokens)});
    auto sig = sdn::scheduler_sigmas("normal", sdn::DiscreteSchedule::sd15(), 3);
    sdn::TorchGenerator g(43);
    std::vector<double> want(static_cast<size_t>(out.size()), 0.0);
    for (int i = 0; i < 2; ++i) {  // the last step goes to 0: sigma_down = 0, x = denoised
        const double s = sig[i], sn = sig[i + 1];
        const double up = std::min(sn, std::sqrt(sn * sn * (s * s - sn * sn) / (s * s)));
        auto n = g.randn(out.size());
        for (size_t k = 0; k < want.size(); ++k) want[k] += n[k] * up;
    }
    for (size_t k = 0; k < want.size(); ++k) EXPECT_NEAR(out.data()[k], want[k] / kScale, 1e-3);
}

TEST_F(KSamplerLoop, StartPercentSkipsAnEntryWhileSigmaIsAboveItsStart) {
    sdn::Tensor a_tokens = tokens_filled(1.0f), b_tokens = tokens_filled(3.0f);
    sdn::Conditioning a = cond_of(a_tokens), late = cond_of(b_tokens);
    late.start_percent = 0.5;  // active only once sigma <= sigma(499.5)
    auto out = run(one_step_euler(1.0), {a, late}, {});
    auto noise = sdn::prepare_noise({1, 4, 8, 8}, 42);
    const double smax = sdn::DiscreteSchedule::sd15().sigma_max();
    const double want = (noise.data()[0] * std::sqrt(1 + smax * smax) - smax * 1.0) / kScale;
    EXPECT_NEAR(out.data()[0], want, 1e-3);
    ASSERT_EQ(model.calls.size(), 1u);
    EXPECT_EQ(model.calls[0].batch, 1);

    model.calls.clear();
    late.start_percent = 0.0;
    late.end_percent = 0.5;  // active while sigma >= sigma(499.5): at sigma_max, yes
    auto both = run(one_step_euler(1.0), {a, late}, {});
    const double avg = (noise.data()[0] * std::sqrt(1 + smax * smax) - smax * 2.0) / kScale;
    EXPECT_NEAR(both.data()[0], avg, 1e-3);
    EXPECT_EQ(model.calls[0].batch, 2);
}

TEST_F(KSamplerLoop, SdeSamplersAreDeterministicPerSeed) {
    auto p = one_step_euler(3.0);
    p.sampler = "dpmpp_2m_sde";
    p.steps = 4;
    auto first = run(p), second = run(p);
    p.seed = 43;
    auto other = run(p);
    for (int64_t k = 0; k < first.size(); ++k) EXPECT_EQ(first.data()[k], second.data()[k]);
    EXPECT_NE(first.data()[0], other.data()[0]);
}

// ---- through the C API -------------------------------------------------------------------

struct KSamplerApi : ::testing::Test {
    sdn_context* ctx = nullptr;
    sdn_model* model = nullptr;
    std::shared_ptr<FakeModel> fake = std::make_shared<FakeModel>(0.1f);
    sdn_tensor* pos = nullptr;
    sdn_tensor* neg = nullptr;
    sdn_tensor* latent = nullptr;

    void SetUp() override {
        ctx = sdn_test::create_api_context(1);
        ASSERT_NE(ctx, nullptr);
        model = new sdn_model();
        model->model = fake;
        std::vector<float> p(77 * 8, 1.0f), n(77 * 8, -1.0f);
        const int64_t td[3] = {1, 77, 8}, ld[4] = {1, 4, 8, 8};
        ASSERT_EQ(sdn_tensor_create(3, td, p.data(), &pos), SDN_OK);
        ASSERT_EQ(sdn_tensor_create(3, td, n.data(), &neg), SDN_OK);
        ASSERT_EQ(sdn_tensor_create(4, ld, nullptr, &latent), SDN_OK);
    }
    void TearDown() override {
        sdn_tensor_free(pos);
        sdn_tensor_free(neg);
        sdn_tensor_free(latent);
        delete model;
        sdn_context_free(ctx);
    }
    sdn_status sample(const sdn_sample_params_t& p, sdn_tensor** out) {
        return sdn_test::sample_once(ctx, model, p, pos, neg, latent, out);
    }
};

struct ProgressLog {
    std::vector<int> steps;
    int total = -1;
    int cancel_at = -1;
    sdn_context* ctx = nullptr;
};

void on_progress(const sdn_progress_t* p, void* user) {
    auto* log = static_cast<ProgressLog*>(user);
    if (p->stage != SDN_STAGE_SAMPLING) return;
    log->steps.push_back(p->step);
    log->total = p->total;
    if (p->step == log->cancel_at) sdn_context_cancel(log->ctx);
}

TEST_F(KSamplerApi, ProgressReportsEveryStep) {
    ProgressLog log;
    sdn_context_set_progress_callback(ctx, on_progress, &log);
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.steps = 6;
    p.sampler = "heun";
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sample(p, &out), SDN_OK) << sdn_context_last_error(ctx);
    EXPECT_EQ(log.steps, (std::vector<int>{0, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(log.total, 6);
    EXPECT_EQ(fake->calls.size(), 11u);  // heun: 2 calls per step, 1 on the last
    sdn_tensor_free(out);
}

TEST_F(KSamplerApi, CancelFromProgressStopsAtThatStep) {
    ProgressLog log;
    log.cancel_at = 3;
    log.ctx = ctx;
    sdn_context_set_progress_callback(ctx, on_progress, &log);
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.steps = 10;
    sdn_tensor* out = nullptr;
    EXPECT_EQ(sample(p, &out), SDN_ERR_CANCELLED);
    EXPECT_EQ(out, nullptr);
    ASSERT_FALSE(log.steps.empty());
    EXPECT_EQ(log.steps.back(), 3);
    EXPECT_EQ(fake->calls.size(), 3u);
    sdn_context_reset_cancel(ctx);
}

TEST_F(KSamplerApi, PreviewsEveryNSteps) {
    struct PreviewLog {
        int count = 0, w = 0, h = 0;
    } plog;
    sdn_context_set_preview_callback(
        ctx,
        [](int32_t w, int32_t h, const uint8_t*, void* user) {
            auto* l = static_cast<PreviewLog*>(user);
            ++l->count;
            l->w = w;
            l->h = h;
        },
        &plog);
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.steps = 6;
    p.preview_every = 2;
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sample(p, &out), SDN_OK);
    EXPECT_EQ(plog.count, 3);
    EXPECT_EQ(plog.w, 8);
    EXPECT_EQ(plog.h, 8);
    sdn_tensor_free(out);
}

TEST_F(KSamplerApi, PreviewsComeFromTheTaesdDecoderWhileOneIsSet) {
    struct PreviewLog {
        int count = 0, w = 0, h = 0;
        std::vector<uint8_t> last;
    } plog;
    sdn_context_set_preview_callback(
        ctx,
        [](int32_t w, int32_t h, const uint8_t* rgb, void* user) {
            auto* l = static_cast<PreviewLog*>(user);
            ++l->count;
            l->w = w;
            l->h = h;
            l->last.assign(rgb, rgb + size_t(w) * size_t(h) * 3);
        },
        &plog);
    const std::string path = "/tmp/sdn_ksampler_taesd_" + std::to_string(getpid()) + ".safetensors";
    ASSERT_EQ(sdn_make_test_taesd(ctx, path.c_str(), "decoder", 8, 3), SDN_OK);
    sdn_taesd* taesd = nullptr;
    ASSERT_EQ(sdn_taesd_load(ctx, path.c_str(), &taesd), SDN_OK) << sdn_context_last_error(ctx);
    sdn_context_set_preview_decoder(ctx, taesd);

    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.steps = 2;
    p.preview_every = 1;
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sample(p, &out), SDN_OK) << sdn_context_last_error(ctx);
    EXPECT_EQ(plog.count, 2);
    EXPECT_EQ(plog.w, 64);
    EXPECT_EQ(plog.h, 64);
    // Euler's last step lands on its denoised prediction, so the last preview is TAESD's
    // image of the result in model space (bytes may differ by one where the division by
    // the latent scale and back rounds across a byte boundary).
    sdn_tensor* image = nullptr;
    ASSERT_EQ(sdn_taesd_decode(ctx, taesd, out, static_cast<float>(kScale), &image), SDN_OK);
    ASSERT_EQ(plog.last.size(), size_t(64 * 64 * 3));
    int off_by_more = 0, distinct = 0;
    for (size_t i = 0; i < plog.last.size(); ++i) {
        const int want = static_cast<int>(sdn_tensor_data(image)[i] * 255.0f);
        off_by_more += std::abs(want - int(plog.last[i])) > 1;
        distinct += plog.last[i] != plog.last[0];
    }
    EXPECT_EQ(off_by_more, 0);
    EXPECT_GT(distinct, 0);
    sdn_tensor_free(image);
    sdn_tensor_free(out);

    // The context shares the decoder: the handle may go while previews still use it.
    sdn_taesd_free(taesd);
    plog.count = 0;
    ASSERT_EQ(sample(p, &out), SDN_OK);
    EXPECT_EQ(plog.count, 2);
    EXPECT_EQ(plog.w, 64);
    sdn_tensor_free(out);

    // Without a decoder: the latent->RGB projection, one pixel per latent pixel.
    sdn_context_set_preview_decoder(ctx, nullptr);
    ASSERT_EQ(sample(p, &out), SDN_OK);
    EXPECT_EQ(plog.w, 8);
    EXPECT_EQ(plog.h, 8);
    sdn_tensor_free(out);
    std::remove(path.c_str());
}

TEST_F(KSamplerApi, RejectsUnknownNamesAndBadSteps) {
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.sampler = "euler_fancy";
    sdn_tensor* out = nullptr;
    EXPECT_EQ(sample(p, &out), SDN_ERR_INVALID_ARGUMENT);
    std::string msg = sdn_context_last_error(ctx);
    EXPECT_NE(msg.find("euler_fancy"), std::string::npos);
    EXPECT_NE(msg.find("dpmpp_2m"), std::string::npos);
    sdn_sample_params_init(&p);
    p.scheduler = "nope";
    EXPECT_EQ(sample(p, &out), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sdn_context_last_error(ctx)).find("karras"), std::string::npos);
    sdn_sample_params_init(&p);
    p.steps = 0;
    EXPECT_EQ(sample(p, &out), SDN_ERR_INVALID_ARGUMENT);
    p.steps = 10001;
    EXPECT_EQ(sample(p, &out), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_TRUE(fake->calls.empty());
    EXPECT_EQ(sdn_sampler_supported("dpmpp_2m"), 1);
    EXPECT_EQ(sdn_sampler_supported("euler_fancy"), 0);
    EXPECT_EQ(sdn_scheduler_supported("beta"), 1);
    EXPECT_EQ(sdn_scheduler_supported(nullptr), 0);
}

TEST_F(KSamplerApi, DenoiseZeroReturnsInputUnchanged) {
    float* d = sdn_tensor_data_mut(latent);
    for (int i = 0; i < 256; ++i) d[i] = 0.25f * static_cast<float>(i % 5);
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.denoise = 0.0f;
    sdn_tensor* out = nullptr;
    ASSERT_EQ(sample(p, &out), SDN_OK);
    for (int i = 0; i < 256; ++i) EXPECT_EQ(sdn_tensor_data(out)[i], d[i]);
    EXPECT_TRUE(fake->calls.empty());
    sdn_tensor_free(out);
}

TEST_F(KSamplerApi, SigmasAndNoiseEntryPoints) {
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.steps = 20;
    p.denoise = 0.5f;
    sdn_tensor* sig = nullptr;
    ASSERT_EQ(sdn_sample_sigmas(ctx, &p, &sig), SDN_OK);
    ASSERT_EQ(sdn_tensor_element_count(sig), 21);
    EXPECT_NEAR(sdn_tensor_data(sig)[0], 1.548160, 1e-5);
    sdn_tensor_free(sig);

    // denoise arrives as a float; 3 / 0.6 must truncate to 5 as with Python doubles, not to 4.
    p.steps = 3;
    p.denoise = 0.6f;
    ASSERT_EQ(sdn_sample_sigmas(ctx, &p, &sig), SDN_OK);
    auto five = sdn::scheduler_sigmas("normal", sdn::DiscreteSchedule::sd15(), 5);
    ASSERT_EQ(sdn_tensor_element_count(sig), 4);
    EXPECT_FLOAT_EQ(sdn_tensor_data(sig)[0], static_cast<float>(five[2]));
    sdn_tensor_free(sig);

    const int64_t dims[4] = {1, 4, 8, 8};
    sdn_tensor* noise = nullptr;
    ASSERT_EQ(sdn_noise_generate(ctx, 42, dims, nullptr, 0, &noise), SDN_OK);
    EXPECT_NEAR(sdn_tensor_data(noise)[0], 1.9269153, 1e-5);
    sdn_tensor_free(noise);
    const int64_t idx[2] = {1, 0};
    const int64_t dims2[4] = {2, 4, 8, 8};
    ASSERT_EQ(sdn_noise_generate(ctx, 42, dims2, idx, 2, &noise), SDN_OK);
    EXPECT_NEAR(sdn_tensor_data(noise)[256], 1.9269153, 1e-5);  // item 1 is draw 0
    sdn_tensor_free(noise);
}

}  // namespace
