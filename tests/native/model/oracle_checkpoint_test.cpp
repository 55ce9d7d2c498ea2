// The full-size random SD1.5 checkpoint of the fidelity oracle (scripts/oracle-checkpoint
// prints its path; pass it in SDN_ORACLE_CHECKPOINT): it loads with zero warnings and zero
// missing/unexpected tensors (UNet, CLIP with the shared vocabulary, VAE), and one UNet
// evaluation at an 8x8 latent runs to finite values.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sdnative.h"
#include "support/shared_dir.h"

namespace {

struct Logs {
    int warnings = 0;
    bool clean_summary = false;
};

void capture(int32_t level, const char* message, void* user) {
    auto* logs = static_cast<Logs*>(user);
    if (level >= SDN_LOG_WARN) ++logs->warnings;
    if (std::string(message).find("missing 0, unexpected 0") != std::string::npos)
        logs->clean_summary = true;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

TEST(OracleCheckpoint, LoadsCleanlyAndEvaluatesAt8x8) {
    const char* path = std::getenv("SDN_ORACLE_CHECKPOINT");
    if (!path || !*path) {
        if (sdn_test::running_in_ci()) FAIL() << "SDN_ORACLE_CHECKPOINT unset (CI=true)";
        GTEST_SKIP() << "SDN_ORACLE_CHECKPOINT unset (run scripts/oracle-checkpoint to get the path)";
    }
    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    sdn_load_options_t opt;
    sdn_load_options_init(&opt);
    opt.tokenizer_path = vocab.c_str();
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    sdn_context* ctx = nullptr;
    ASSERT_EQ(sdn_context_create(&o, &ctx), SDN_OK);
    Logs logs;
    sdn_context_set_log_callback(ctx, capture, SDN_LOG_DEBUG, &logs);

    // Timings are printed for information only; nothing depends on them.
    auto t0 = std::chrono::steady_clock::now();
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    sdn_vae* vae = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, path, &opt, &model, &clip, &vae), SDN_OK)
        << sdn_context_last_error(ctx);
    std::printf("oracle checkpoint load (UNet + CLIP + VAE): %.2f s\n", seconds_since(t0));
    EXPECT_EQ(logs.warnings, 0);
    EXPECT_TRUE(logs.clean_summary);
    EXPECT_EQ(sdn_model_arch(model), SDN_ARCH_SD1);

    const int64_t xd[4] = {2, 4, 8, 8}, cd[3] = {2, 77, 768};
    sdn_tensor *x = nullptr, *c = nullptr, *eps = nullptr;
    ASSERT_EQ(sdn_tensor_create(4, xd, nullptr, &x), SDN_OK);
    ASSERT_EQ(sdn_tensor_create(3, cd, nullptr, &c), SDN_OK);
    float* xv = sdn_tensor_data_mut(x);
    for (int64_t i = 0; i < sdn_tensor_element_count(x); ++i) xv[i] = std::sin(0.01f * i);
    float* cv = sdn_tensor_data_mut(c);
    for (int64_t i = 0; i < sdn_tensor_element_count(c); ++i) cv[i] = std::cos(0.003f * i);
    const float t[2] = {999.0f, 999.0f};
    t0 = std::chrono::steady_clock::now();
    ASSERT_EQ(sdn_model_eval(ctx, model, x, t, c, &eps), SDN_OK) << sdn_context_last_error(ctx);
    std::printf("oracle UNet eval, batch 2, 8x8 latent: %.2f s\n", seconds_since(t0));
    ASSERT_EQ(sdn_tensor_element_count(eps), 2 * 4 * 8 * 8);
    for (int64_t i = 0; i < sdn_tensor_element_count(eps); ++i)
        ASSERT_TRUE(std::isfinite(sdn_tensor_data(eps)[i])) << "at " << i;

    sdn_tensor_free(x);
    sdn_tensor_free(c);
    sdn_tensor_free(eps);
    sdn_model_free(model);
    sdn_clip_free(clip);
    sdn_vae_free(vae);
    sdn_context_free(ctx);
}

}  // namespace
