// An SDE sampler (dpmpp_2m_sde, karras) end to end on the tiny random UNet through the C
// API: the same seed gives the same bits, and the seed reaches the Brownian-tree noise itself,
// not only the initial noise.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "sample_call.h"
#include "sdnative.h"

namespace {

namespace fs = std::filesystem;

class KSamplerSde : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_EQ(sdn_context_create(nullptr, &ctx), SDN_OK);
        // One folder per test: ctest runs tests in parallel, and a model file rewritten under
        // another test's mapping would crash it.
        dir = fs::path(::testing::TempDir()) /
              ("sdn_ksampler_sde_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::create_directories(dir);
        const std::string path = (dir / "tiny.safetensors").string();
        ASSERT_EQ(sdn_make_test_model(ctx, path.c_str(), "f32", 5), SDN_OK) << sdn_context_last_error(ctx);
        ASSERT_EQ(sdn_checkpoint_load(ctx, path.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        const int64_t td[3] = {1, 77, 64}, ld[4] = {1, 4, 8, 8};
        ASSERT_EQ(sdn_tensor_create(3, td, nullptr, &pos), SDN_OK);
        ASSERT_EQ(sdn_tensor_create(3, td, nullptr, &neg), SDN_OK);
        ASSERT_EQ(sdn_tensor_create(4, ld, nullptr, &latent), SDN_OK);
        float* p = sdn_tensor_data_mut(pos);
        float* n = sdn_tensor_data_mut(neg);
        for (int64_t i = 0; i < 77 * 64; ++i) {
            p[i] = std::sin(0.37f * i);
            n[i] = -0.5f * std::cos(0.11f * i);
        }
        float* l = sdn_tensor_data_mut(latent);
        for (int64_t i = 0; i < 4 * 8 * 8; ++i) l[i] = std::sin(0.2f * i);
    }
    void TearDown() override {
        sdn_tensor_free(pos);
        sdn_tensor_free(neg);
        sdn_tensor_free(latent);
        sdn_model_free(model);
        sdn_context_free(ctx);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    std::vector<float> sample(const char* sampler, uint64_t seed, bool add_noise) {
        sdn_sample_params_t p;
        sdn_sample_params_init(&p);
        p.sampler = sampler;
        p.scheduler = "karras";
        p.steps = 4;
        p.cfg = 3.0f;
        p.seed = seed;
        p.add_noise = add_noise ? 1 : 0;
        sdn_tensor* out = nullptr;
        EXPECT_EQ(sdn_test::sample_once(ctx, model, p, pos, neg, latent, &out), SDN_OK) << sdn_context_last_error(ctx);
        std::vector<float> v;
        if (out) v.assign(sdn_tensor_data(out), sdn_tensor_data(out) + sdn_tensor_element_count(out));
        sdn_tensor_free(out);
        for (float x : v) EXPECT_TRUE(std::isfinite(x));
        return v;
    }

    sdn_context* ctx = nullptr;
    sdn_model* model = nullptr;
    sdn_tensor *pos = nullptr, *neg = nullptr, *latent = nullptr;
    fs::path dir;
};

double max_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
    double m = 0;
    for (size_t k = 0; k < a.size(); ++k) m = std::max(m, std::fabs(static_cast<double>(a[k]) - b[k]));
    return m;
}

TEST_F(KSamplerSde, Dpmpp2mSdeKarrasIsDeterministicPerSeedAndChangesWithIt) {
    const auto first = sample("dpmpp_2m_sde", 1234, true);
    const auto again = sample("dpmpp_2m_sde", 1234, true);
    const auto other = sample("dpmpp_2m_sde", 1235, true);
    ASSERT_EQ(first.size(), 4u * 8 * 8);
    EXPECT_EQ(first, again);
    EXPECT_GT(max_abs_difference(first, other), 0.1);
}

TEST_F(KSamplerSde, TheSeedReachesTheBrownianNoiseWithoutInitialNoise) {
    // add_noise off: the ODE sampler ignores the seed, the SDE sampler's only seeded input is
    // its Brownian tree.
    EXPECT_EQ(sample("dpmpp_2m", 1, false), sample("dpmpp_2m", 2, false));
    const auto a = sample("dpmpp_2m_sde", 1, false);
    EXPECT_EQ(a, sample("dpmpp_2m_sde", 1, false));
    EXPECT_GT(max_abs_difference(a, sample("dpmpp_2m_sde", 2, false)), 0.01);
    EXPECT_GT(max_abs_difference(sample("dpmpp_sde", 1, false), sample("dpmpp_sde", 2, false)), 0.01);
}

}  // namespace
