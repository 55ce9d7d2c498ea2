// The GGUF layouts of stable-diffusion.cpp's converter and ComfyUI-GGUF, written from the tiny
// test model by model/gguf_dialect_writer, load through the C API and compute what the same
// weights compute from safetensors.
#include "model/gguf_dialect_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "io/model_file.h"
#include "sdnative.h"
#include "support/api_context.h"
#include "support/float32_variant.h"
#include "support/relative_error.h"
#include "support/shared_dir.h"

namespace {

namespace fs = std::filesystem;

class GgufDialect : public ::testing::Test {
protected:
    void SetUp() override {
        // float32 products, so the q8_0 bound measures the weights' rounding alone.
        ctx = sdn_test::create_api_context(2, sdn_test::Products::Float32);
        ASSERT_NE(ctx, nullptr);
        dir = fs::path(::testing::TempDir()) /
              ("sdn_dialect_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::create_directories(dir);
        sdn::write_safetensors(file("reference.safetensors"), tensors, sdn::DType::F32);
    }
    void TearDown() override {
        sdn_context_free(ctx);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string file(const std::string& name) const { return (dir / name).string(); }

    // eps of the UNet in `path` for a fixed input (x, two timesteps, a 64-wide context).
    std::vector<float> eps_of(const std::string& path) {
        sdn_model* model = nullptr;
        EXPECT_EQ(sdn_checkpoint_load(ctx, path.c_str(), nullptr, &model, nullptr, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        if (!model) return {};
        const int64_t x_dims[4] = {2, 4, 8, 8}, c_dims[3] = {2, 3, 64};
        std::vector<float> x(2 * 4 * 8 * 8), c(2 * 3 * 64);
        for (size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.07f * float(i));
        for (size_t i = 0; i < c.size(); ++i) c[i] = std::sin(0.13f * float(i));
        sdn_tensor *xt = nullptr, *ct = nullptr, *out = nullptr;
        EXPECT_EQ(sdn_tensor_create(4, x_dims, x.data(), &xt), SDN_OK);
        EXPECT_EQ(sdn_tensor_create(3, c_dims, c.data(), &ct), SDN_OK);
        const float t[2] = {850.0f, 35.0f};
        EXPECT_EQ(sdn_model_eval(ctx, model, xt, t, ct, &out), SDN_OK) << sdn_context_last_error(ctx);
        std::vector<float> eps;
        if (out) eps.assign(sdn_tensor_data(out), sdn_tensor_data(out) + sdn_tensor_element_count(out));
        sdn_tensor_free(xt);
        sdn_tensor_free(ct);
        sdn_tensor_free(out);
        sdn_model_free(model);
        return eps;
    }

    sdn_context* ctx = nullptr;
    fs::path dir;
    std::vector<sdn::TestTensor> tensors = sdn::make_test_model_tensors(sdn::TestModelSpec{}, 21);
};

int count_prefixed(const std::string& path, const std::string& prefix) {
    const auto f = sdn::ModelFile::open(path);
    int n = 0;
    for (const auto& [key, value] : f->metadata()) n += key.compare(0, prefix.size(), prefix) == 0;
    return n;
}

TEST_F(GgufDialect, ComfyUiGgufUnetInF32ComputesTheSafetensorsEpsExactly) {
    const std::string p = file("unet.gguf");
    sdn::write_comfy_gguf_unet(p, tensors, sdn::DType::F32);
    // The shape fix was applied: 3x3 convolutions and 64-wide linear layers are stored as rows
    // of 256 with their shapes in the metadata.
    EXPECT_GT(count_prefixed(p, "comfy.gguf.orig_shape."), 10);
    const auto f = sdn::ModelFile::open(p);
    const sdn::TensorEntry* conv = f->find("input_blocks.1.0.in_layers.2.weight");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(conv->ref.shape, (std::vector<int64_t>{32, 32, 3, 3}));
    EXPECT_EQ(f->find("model.diffusion_model.out.2.weight"), nullptr);
    EXPECT_NE(f->find("out.2.weight"), nullptr);

    const auto want = eps_of(file("reference.safetensors"));
    const auto got = eps_of(p);
    ASSERT_FALSE(want.empty());
    EXPECT_EQ(got, want);
}

TEST_F(GgufDialect, ComfyUiGgufUnetInQ8_0StaysCloseToTheSafetensorsEps) {
    const std::string p = file("unet_q8.gguf");
    sdn::write_comfy_gguf_unet(p, tensors, sdn::DType::Q8_0);
    const auto f = sdn::ModelFile::open(p);
    // Rows of 64 are whole q8_0 blocks: the weight keeps its blocks under its own shape.
    const sdn::TensorEntry* linear = f->find("input_blocks.1.1.transformer_blocks.0.attn1.to_q.weight");
    ASSERT_NE(linear, nullptr);
    EXPECT_EQ(linear->ref.type, sdn::DType::Q8_0);
    EXPECT_EQ(linear->ref.shape, (std::vector<int64_t>{32, 32}));
    // A 3x3 convolution's rows of 3 are not, but its rows of C*3*3 = 288 are: it keeps its
    // blocks under its own shape, read as 32 rows of 288 as conv2d reads it.
    const sdn::TensorEntry* conv = f->find("input_blocks.1.0.in_layers.2.weight");
    ASSERT_NE(conv, nullptr);
    EXPECT_EQ(conv->ref.type, sdn::DType::Q8_0);
    EXPECT_EQ(conv->ref.shape, (std::vector<int64_t>{32, 32, 3, 3}));
    EXPECT_EQ(conv->ref.row_elems(), 288);
    // conv_in's rows of 4*3*3 = 36 are not whole blocks: expanded to f16.
    EXPECT_EQ(f->find("input_blocks.0.0.weight")->ref.type, sdn::DType::F16);

    const auto want = eps_of(file("reference.safetensors"));
    const double err = sdn_test::relative_rms(eps_of(p), want);
    EXPECT_GT(err, 0.0);
    EXPECT_LT(err, 0.02);
}

TEST_F(GgufDialect, StableDiffusionCppCheckpointLoadsEveryComponent) {
    const std::string f32 = file("sdcpp_f32.gguf"), q8 = file("sdcpp_q8.gguf");
    sdn::write_sdcpp_gguf(f32, tensors, sdn::DType::F32);
    sdn::write_sdcpp_gguf(q8, tensors, sdn::DType::Q8_0);
    EXPECT_TRUE(sdn::ModelFile::open(q8)->metadata().empty());
    EXPECT_EQ(eps_of(f32), eps_of(file("reference.safetensors")));

    SDN_REQUIRE_SHARED_DIR(shared);
    const std::string vocabulary = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz";
    sdn_load_options_t options;
    sdn_load_options_init(&options);
    options.tokenizer_path = vocabulary.c_str();
    sdn_model* model = nullptr;
    sdn_clip* clip = nullptr;
    sdn_vae* vae = nullptr;
    ASSERT_EQ(sdn_checkpoint_load(ctx, q8.c_str(), &options, &model, &clip, &vae), SDN_OK)
        << sdn_context_last_error(ctx);
    EXPECT_EQ(sdn_model_arch(model), SDN_ARCH_SD1);
    sdn_model_free(model);
    sdn_clip_free(clip);
    sdn_vae_free(vae);
    const double err = sdn_test::relative_rms(eps_of(q8), eps_of(f32));
    EXPECT_GT(err, 0.0);
    EXPECT_LT(err, 0.02);
}

}  // namespace
