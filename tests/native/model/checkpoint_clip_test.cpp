// CLIP from checkpoints: the text encoder loads beside the UNet and VAE with every tensor
// accounted for, its conditioning drives a UNet evaluation, and a converted GGUF carries the
// vocabulary so it loads without a tokenizer file.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sdnative.h"
#include "support/shared_dir.h"

namespace {

namespace fs = std::filesystem;

struct Logs {
    int warnings = 0;
    bool clean = false;
};

void capture(int32_t level, const char* message, void* user) {
    auto* l = static_cast<Logs*>(user);
    if (level >= SDN_LOG_WARN) ++l->warnings;
    if (std::string(message).find("missing 0, unexpected 0") != std::string::npos) l->clean = true;
}

class CheckpointClip : public ::testing::Test {
protected:
    void SetUp() override {
        sdn_context_options_t o;
        sdn_context_options_init(&o);
        o.n_threads = 2;
        ASSERT_EQ(sdn_context_create(&o, &ctx), SDN_OK);
        sdn_context_set_log_callback(ctx, capture, SDN_LOG_DEBUG, &logs);
        dir = fs::path(::testing::TempDir()) /
              ("sdn_clip_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::create_directories(dir);
        unsetenv("SDN_TOKENIZER");  // only the paths this test gives count
    }
    void TearDown() override {
        sdn_context_free(ctx);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    sdn_context* ctx = nullptr;
    Logs logs;
    fs::path dir;
};

std::vector<float> ids_of(sdn_context* ctx, sdn_clip* clip, const char* text) {
    sdn_tensor* ids = nullptr;
    EXPECT_EQ(sdn_clip_tokenize(ctx, clip, text, &ids, nullptr), SDN_OK) << sdn_context_last_error(ctx);
    std::vector<float> out;
    if (ids) out.assign(sdn_tensor_data(ids), sdn_tensor_data(ids) + sdn_tensor_element_count(ids));
    sdn_tensor_free(ids);
    return out;
}

TEST_F(CheckpointClip, AllThreeComponentsLoadAndTheConditioningDrivesTheUnet) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    const std::string p = (dir / "m.safetensors").string();
    ASSERT_EQ(sdn_make_test_model(ctx, p.c_str(), "f16", 5), SDN_OK);
    sdn_load_options_t opt;
    sdn_load_options_init(&opt);
    opt.tokenizer_path = vocab.c_str();
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    sdn_vae* vae = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), &opt, &model, &clip, &vae), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_TRUE(logs.clean);
    EXPECT_EQ(logs.warnings, 0);

    sdn_tensor *cond = nullptr, *pooled = nullptr;
    ASSERT_EQ(sdn_clip_encode(ctx, clip, "a photo of a cat", -1, &cond, &pooled), SDN_OK)
        << sdn_context_last_error(ctx);
    int64_t cd[4];
    sdn_tensor_dims(cond, cd);
    EXPECT_EQ(cd[0], 1);
    EXPECT_EQ(cd[1], 77);
    EXPECT_EQ(cd[2], 64);

    const int64_t xd[4] = {1, 4, 8, 8};
    sdn_tensor *x = nullptr, *eps = nullptr;
    ASSERT_EQ(sdn_tensor_create(4, xd, nullptr, &x), SDN_OK);
    const float t = 500.0f;
    ASSERT_EQ(sdn_model_eval(ctx, model, x, &t, cond, &eps), SDN_OK) << sdn_context_last_error(ctx);
    EXPECT_EQ(sdn_tensor_element_count(eps), 4 * 8 * 8);

    sdn_tensor_free(x);
    sdn_tensor_free(eps);
    sdn_tensor_free(cond);
    sdn_tensor_free(pooled);
    sdn_model_free(model);
    sdn_clip_free(clip);
    sdn_vae_free(vae);
}

TEST_F(CheckpointClip, ConvertedGgufCarriesTheVocabulary) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    const std::string src = (dir / "m.safetensors").string(), dst = (dir / "m.gguf").string();
    ASSERT_EQ(sdn_make_test_model(ctx, src.c_str(), "f16", 6), SDN_OK);
    ASSERT_EQ(sdn_convert(ctx, src.c_str(), dst.c_str(), "q8_0", vocab.c_str()), SDN_OK)
        << sdn_context_last_error(ctx);

    sdn_load_options_t opt;
    sdn_load_options_init(&opt);
    opt.tokenizer_path = vocab.c_str();
    sdn_clip *from_file = nullptr, *embedded = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, src.c_str(), &opt, nullptr, &from_file, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    logs = Logs{};
    ASSERT_EQ(sdn_checkpoint_load(ctx, dst.c_str(), nullptr, nullptr, &embedded, nullptr), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_TRUE(logs.clean);
    const char* text = "A (red:1.2) fox, jumping over 2 lazy dogs!";
    EXPECT_EQ(ids_of(ctx, from_file, text), ids_of(ctx, embedded, text));

    // Without the vocabulary (plain safetensors, nothing beside it) CLIP cannot load.
    sdn_clip* none = nullptr;
    EXPECT_EQ(sdn_checkpoint_load(ctx, src.c_str(), nullptr, nullptr, &none, nullptr), SDN_ERR_NOT_FOUND);
    EXPECT_EQ(none, nullptr);
    sdn_clip_free(from_file);
    sdn_clip_free(embedded);
}

}  // namespace
