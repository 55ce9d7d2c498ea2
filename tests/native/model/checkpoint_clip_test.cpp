// CLIP from checkpoints: the text encoder loads beside the UNet and VAE with every tensor
// accounted for, its conditioning drives a UNet evaluation, and a converted GGUF carries the
// vocabulary so it loads without a tokenizer file. Tiny SDXL and SD2 checkpoints from the
// project's writer load the same way: SDXL's two encoders join into one conditioning whose
// pooled output and size conditioning reach the UNet through the ADM vector.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>
#include <algorithm>

#include "model/test_model_writer.h"
#include "sdnative.h"
#include "support/api_context.h"
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
        ctx = sdn_test::create_api_context();
        ASSERT_NE(ctx, nullptr);
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
    // Loads every requested component with the given vocabulary; every tensor must be used.
    void load_clean(const std::string& p, const std::string& vocab, sdn_model** model,
                    sdn_clip** clip, sdn_vae** vae) {
        sdn_load_options_t opt;
        sdn_load_options_init(&opt);
        opt.tokenizer_path = vocab.c_str();
        ASSERT_EQ(sdn_checkpoint_load(ctx, p.c_str(), &opt, model, clip, vae), SDN_OK)
            << sdn_context_last_error(ctx);
        EXPECT_TRUE(logs.clean);
        EXPECT_EQ(logs.warnings, 0);
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
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    sdn_vae* vae = nullptr;
    ASSERT_NO_FATAL_FAILURE(load_clean(p, vocab, &model, &clip, &vae));

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

std::vector<int64_t> dims_of(const sdn_tensor* t) {
    int64_t d[4];
    sdn_tensor_dims(t, d);
    return std::vector<int64_t>(d, d + sdn_tensor_n_dims(t));
}

// One euler step of KSampler on an 8x8 latent with a positive conditioning carrying the
// given SDXL size (0 = from the latent); returns the sampled latent.
std::vector<float> sample_with_size(sdn_context* ctx, sdn_model* model, sdn_tensor* cond,
                                    sdn_tensor* pooled, int32_t width, int32_t height) {
    sdn_cond_t c;
    sdn_cond_init(&c);
    c.tokens = cond;
    c.pooled = pooled;
    c.has_size = width > 0 ? 1 : 0;
    c.width = width;
    c.height = height;
    c.target_width = width;
    c.target_height = height;
    sdn_sample_params_t p;
    sdn_sample_params_init(&p);
    p.steps = 1;
    p.cfg = 1.0f;
    p.seed = 3;
    const int64_t xd[4] = {1, 4, 8, 8};
    sdn_tensor *x = nullptr, *out = nullptr;
    EXPECT_EQ(sdn_tensor_create(4, xd, nullptr, &x), SDN_OK);
    sdn_latent_t l;
    sdn_latent_init(&l);
    l.samples = x;
    EXPECT_EQ(sdn_sample(ctx, model, &p, &c, 1, &c, 1, &l, &out), SDN_OK) << sdn_context_last_error(ctx);
    std::vector<float> v;
    if (out) v.assign(sdn_tensor_data(out), sdn_tensor_data(out) + sdn_tensor_element_count(out));
    sdn_tensor_free(x);
    sdn_tensor_free(out);
    return v;
}

TEST_F(CheckpointClip, TinySdxlLoadsEncodesWithBothEncodersAndSamplesWithSizeConditioning) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    const std::string p = (dir / "xl.safetensors").string();
    const sdn::TestModelSpec spec = sdn::tiny_sdxl_spec();
    sdn::write_safetensors(p, sdn::make_test_model_tensors(spec, 7), sdn::DType::F16);
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    sdn_vae* vae = nullptr;
    ASSERT_NO_FATAL_FAILURE(load_clean(p, vocab, &model, &clip, &vae));
    EXPECT_EQ(sdn_model_arch(model), SDN_ARCH_SDXL);

    sdn_tensor *cond = nullptr, *pooled = nullptr;
    ASSERT_EQ(sdn_clip_encode(ctx, clip, "a photo of a cat", 0, &cond, &pooled), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_EQ(dims_of(cond), (std::vector<int64_t>{1, 77, spec.clip_width + spec.open_clip_width}));
    EXPECT_EQ(dims_of(pooled), (std::vector<int64_t>{1, spec.open_clip_width}));
    // CLIPTextEncodeSDXL with text_l = text_g is CLIPTextEncode; other texts change it.
    sdn_tensor *same = nullptr, *other = nullptr;
    ASSERT_EQ(sdn_clip_encode_sdxl(ctx, clip, "a photo of a cat", "a photo of a cat", 0, &same, nullptr), SDN_OK);
    ASSERT_EQ(sdn_clip_encode_sdxl(ctx, clip, "a photo of a cat", "a dog", 0, &other, nullptr), SDN_OK);
    const int64_t n = sdn_tensor_element_count(cond);
    EXPECT_TRUE(std::equal(sdn_tensor_data(cond), sdn_tensor_data(cond) + n, sdn_tensor_data(same)));
    EXPECT_FALSE(std::equal(sdn_tensor_data(cond), sdn_tensor_data(cond) + n, sdn_tensor_data(other)));

    // The size comes from the latent unless the conditioning gives one.
    const auto from_latent = sample_with_size(ctx, model, cond, pooled, 0, 0);
    const auto explicit_64 = sample_with_size(ctx, model, cond, pooled, 64, 64);
    const auto at_1024 = sample_with_size(ctx, model, cond, pooled, 1024, 1024);
    ASSERT_EQ(from_latent.size(), 4u * 8 * 8);
    EXPECT_EQ(from_latent, explicit_64);
    EXPECT_NE(from_latent, at_1024);

    // A plain UNet evaluation has no way to pass the ADM vector: refused by name.
    const int64_t xd[4] = {1, 4, 8, 8};
    sdn_tensor *x = nullptr, *eps = nullptr;
    ASSERT_EQ(sdn_tensor_create(4, xd, nullptr, &x), SDN_OK);
    const float t = 500.0f;
    EXPECT_EQ(sdn_model_eval(ctx, model, x, &t, cond, &eps), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sdn_context_last_error(ctx)).find("ADM"), std::string::npos);
    sdn_tensor_free(x);
    for (sdn_tensor* tensor : {cond, pooled, same, other}) sdn_tensor_free(tensor);
    sdn_model_free(model);
    sdn_clip_free(clip);
    sdn_vae_free(vae);
}

TEST_F(CheckpointClip, TinySd2UsesOpenClipHAndSdxlEncodeNeedsTwoEncoders) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    const std::string p = (dir / "sd2.safetensors").string();
    sdn::write_safetensors(p, sdn::make_test_model_tensors(sdn::tiny_sd2_spec(), 8), sdn::DType::F16);
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    ASSERT_NO_FATAL_FAILURE(load_clean(p, vocab, &model, &clip, nullptr));
    EXPECT_EQ(sdn_model_arch(model), SDN_ARCH_SD2);
    sdn_tensor* cond = nullptr;
    ASSERT_EQ(sdn_clip_encode(ctx, clip, "a cat", 0, &cond, nullptr), SDN_OK) << sdn_context_last_error(ctx);
    EXPECT_EQ(dims_of(cond), (std::vector<int64_t>{1, 77, 64}));
    sdn_tensor* xl = nullptr;
    EXPECT_EQ(sdn_clip_encode_sdxl(ctx, clip, "a", "b", 0, &xl, nullptr), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_NE(std::string(sdn_context_last_error(ctx)).find("CLIPTextEncodeSDXL"), std::string::npos);
    const int64_t xd[4] = {1, 4, 8, 8};
    sdn_tensor *x = nullptr, *eps = nullptr;
    ASSERT_EQ(sdn_tensor_create(4, xd, nullptr, &x), SDN_OK);
    const float t = 500.0f;
    ASSERT_EQ(sdn_model_eval(ctx, model, x, &t, cond, &eps), SDN_OK) << sdn_context_last_error(ctx);
    sdn_tensor_free(x);
    sdn_tensor_free(eps);
    sdn_tensor_free(cond);
    sdn_model_free(model);
    sdn_clip_free(clip);
}

}  // namespace
