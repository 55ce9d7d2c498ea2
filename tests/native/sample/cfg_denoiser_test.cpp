// The conditioning options of CfgDenoiser that ConditioningSetMask and
// ConditioningSetTimestepRange set: a mask weighting an entry, "mask bounds" cropping the
// model input to the mask's bounding box, and a percent range that switches an entry off.
// The fake model predicts eps = the first token value of its context, so each entry's
// denoised prediction at sigma 1 on x = 0 is minus its token value, worked out by hand here.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/context.h"
#include "sample/cfg_denoiser.h"
#include "sample/sigma_schedule.h"

namespace {

class TokenValueModel : public sdn::DiffusionModel {
public:
    void predict_eps(sdn::Context&, const sdn::Tensor& x_in, const std::vector<float>&,
                     const sdn::Tensor& context, sdn::Tensor& eps_out) override {
        crops.push_back({x_in.dim(2), x_in.dim(3)});
        eps_out.reset(x_in.shape());
        const int64_t per = x_in.size() / x_in.dim(0);
        for (int64_t b = 0; b < x_in.dim(0); ++b)
            std::fill(eps_out.data() + b * per, eps_out.data() + (b + 1) * per,
                      context.data()[b * context.dim(1) * context.dim(2)]);
    }
    std::vector<std::pair<int64_t, int64_t>> crops;  // (h, w) of every call
};

sdn::Tensor tokens_of(float value) {
    sdn::Tensor t({1, 77, 8});
    std::fill(t.data(), t.data() + t.size(), value);
    return t;
}

struct CfgDenoiserConditioning : ::testing::Test {
    sdn::Context ctx{1, SDN_CPU_VARIANT_SCALAR};
    TokenValueModel model;
    const sdn::DiscreteSchedule& schedule = sdn::DiscreteSchedule::sd15();
    sdn::Tensor full_tokens = tokens_of(1.0f), masked_tokens = tokens_of(3.0f);
    sdn::Tensor x{std::vector<int64_t>{1, 4, 16, 16}};
    sdn::Tensor mask{std::vector<int64_t>{16, 16}};

    // cfg 1: only the positive side runs. Returns channel 0 of the denoised prediction.
    std::vector<float> denoise(const std::vector<sdn::Conditioning>& positive, double sigma = 1.0) {
        sdn::CfgDenoiser d(ctx, model, schedule, positive, {}, 1.0, {1, 4, 16, 16});
        sdn::Tensor out;
        d(x, sigma, out);
        return std::vector<float>(out.data(), out.data() + 256);
    }

    sdn::Conditioning entry(const sdn::Tensor& tokens) {
        sdn::Conditioning c;
        c.tokens = &tokens;
        return c;
    }
};

TEST_F(CfgDenoiserConditioning, MaskWeightsTheEntryAndMaskBoundsCropTheModelInput) {
    // Mask 1 on rows 2..5, columns 4..13 (latent size, so no resize).
    for (int64_t y = 2; y <= 5; ++y)
        for (int64_t xx = 4; xx <= 13; ++xx) mask.data()[y * 16 + xx] = 1.0f;
    sdn::Conditioning masked = entry(masked_tokens);
    masked.mask = &mask;
    for (bool bounds : {false, true}) {
        model.crops.clear();
        masked.set_area_to_bounds = bounds;
        auto d = denoise({entry(full_tokens), masked});
        for (int64_t y = 0; y < 16; ++y)
            for (int64_t xx = 0; xx < 16; ++xx) {
                const bool in = y >= 2 && y <= 5 && xx >= 4 && xx <= 13;
                // Inside: (-1*1 + -3*1) / 2; outside only the full entry counts.
                EXPECT_FLOAT_EQ(d[y * 16 + xx], in ? -2.0f : -1.0f) << y << "," << xx;
            }
        // Without bounds both entries see the whole latent (one batched call); with them the
        // masked entry runs on its box: 4 rows grow to ComfyUI's minimum of 8, 10 columns stay.
        std::vector<std::pair<int64_t, int64_t>> want = {{16, 16}};
        if (bounds) want = {{16, 16}, {8, 10}};
        EXPECT_EQ(model.crops, want) << "bounds " << bounds;
    }
}

TEST_F(CfgDenoiserConditioning, MaskStrengthScalesTheWeight) {
    std::fill(mask.data(), mask.data() + mask.size(), 1.0f);
    sdn::Conditioning masked = entry(masked_tokens);
    masked.mask = &mask;
    masked.strength = 3.0;
    // (-1*1 + -3*3) / (1 + 3)
    for (float v : denoise({entry(full_tokens), masked})) EXPECT_FLOAT_EQ(v, -2.5f);
}

TEST_F(CfgDenoiserConditioning, AllZeroMaskWithBoundsUsesTheSmallestAreaAndAddsNothing) {
    sdn::Conditioning masked = entry(masked_tokens);
    masked.mask = &mask;
    masked.set_area_to_bounds = true;
    for (float v : denoise({entry(full_tokens), masked})) EXPECT_FLOAT_EQ(v, -1.0f);
    std::vector<std::pair<int64_t, int64_t>> want = {{16, 16}, {8, 8}};
    EXPECT_EQ(model.crops, want);
}

TEST_F(CfgDenoiserConditioning, PercentRangeSwitchesTheEntryOnlyInsideIt) {
    // Active from 50 % of the schedule on: sigma <= percent_to_sigma(0.5) (about 1.3 for
    // SD1.5, the sigma of timestep ~500).
    sdn::Conditioning late = entry(masked_tokens);
    late.start_percent = 0.5;
    const double middle = schedule.percent_to_sigma(0.5);
    EXPECT_GT(middle, 0.5);
    EXPECT_LT(middle, 3.0);
    for (float v : denoise({entry(full_tokens), late}, middle * 1.5)) EXPECT_FLOAT_EQ(v, -1.0f * middle * 1.5);
    for (float v : denoise({entry(full_tokens), late}, middle / 1.5)) EXPECT_FLOAT_EQ(v, -2.0f * middle / 1.5);
    // Ending at 50 %: the opposite.
    late.start_percent = 0.0;
    late.end_percent = 0.5;
    for (float v : denoise({entry(full_tokens), late}, middle * 1.5)) EXPECT_FLOAT_EQ(v, -2.0f * middle * 1.5);
    for (float v : denoise({entry(full_tokens), late}, middle / 1.5)) EXPECT_FLOAT_EQ(v, -1.0f * middle / 1.5);
}

// A v-prediction model's output v becomes x0 = x / (sigma^2 + 1) - v * sigma / sqrt(sigma^2 + 1)
// (sigma_data 1, ComfyUI's V_PREDICTION); eps models keep x0 = x - eps * sigma. The fake
// predicts its token value (0.5) everywhere; x = 2.
class ConstantOutputModel : public TokenValueModel {
public:
    sdn_prediction prediction() const override { return kind; }
    sdn_prediction kind = SDN_PREDICTION_V;
};

TEST(CfgDenoiserPrediction, VPredictionAndTheOverrideFollowComfyFormulas) {
    sdn::Context ctx{1, SDN_CPU_VARIANT_SCALAR};
    ConstantOutputModel model;
    sdn::Tensor tokens = tokens_of(0.5f);
    sdn::Conditioning c;
    c.tokens = &tokens;
    sdn::Tensor x({1, 4, 2, 2});
    std::fill(x.data(), x.data() + x.size(), 2.0f);
    const double sigma = 3.0;
    auto run = [&](sdn_prediction override_with) {
        sdn::CfgDenoiser d(ctx, model, sdn::DiscreteSchedule::sd15(), {c}, {}, 1.0, {1, 4, 2, 2});
        d.set_prediction(override_with);
        sdn::Tensor out;
        d(x, sigma, out);
        return out.data()[0];
    };
    const double v_x0 = 2.0 / (sigma * sigma + 1.0) - 0.5 * sigma / std::sqrt(sigma * sigma + 1.0);
    const double eps_x0 = 2.0 - 0.5 * sigma;
    EXPECT_NEAR(run(SDN_PREDICTION_DEFAULT), v_x0, 1e-6);  // the model's own: v
    EXPECT_NEAR(run(SDN_PREDICTION_EPS), eps_x0, 1e-6);    // ModelSamplingDiscrete eps
    model.kind = SDN_PREDICTION_EPS;
    EXPECT_NEAR(run(SDN_PREDICTION_DEFAULT), eps_x0, 1e-6);
    EXPECT_NEAR(run(SDN_PREDICTION_V), v_x0, 1e-6);
}

}  // namespace
