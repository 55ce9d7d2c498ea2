// sdn_convert to every type the CLI lists: a tiny f32 checkpoint (widths chosen so some rows
// fill whole 256-value K-quant super-blocks) is converted, the stored type of each tensor is
// checked against the documented policy, and the converted file samples two steps and decodes
// to a finite image that differs from the f32 model's exactly when the weights were rounded.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "model/checkpoint.h"
#include "model/test_model_writer.h"
#include "sdnative.h"
#include "support/api_context.h"
#include "support/float32_variant.h"

namespace {

namespace fs = std::filesystem;
using sdn::DType;

const char* const kListedTypes[] = {"f32",  "f16",  "bf16", "q8_0", "q5_0", "q5_1", "q4_0",
                                    "q4_1", "q6_K", "q5_K", "q4_K", "q3_K", "q2_K"};

bool is_flattened_conv(const std::string& name, const std::vector<int64_t>& shape, DType requested) {
    const auto& tr = sdn::dtype_traits(requested);
    if (!tr.quantized || shape.size() != 4 || name.rfind("model.diffusion_model.", 0) != 0) return false;
    return shape.back() % tr.block_elems != 0 && (shape[1] * shape[2] * shape[3]) % tr.block_elems == 0;
}

// docs/cli.md: norms, biases and other 1-D tensors stay f32; embeddings and weights whose rows
// are not whole blocks of the type become f16, but in the "flattened" conv layout for UNet
// convs whose rows of C*kh*kw are; the rest takes the requested type.
DType expected_type(const std::string& name, const std::vector<int64_t>& shape, DType requested,
                    bool flattened) {
    if (shape.size() < 2) return DType::F32;
    const auto& tr = sdn::dtype_traits(requested);
    if (!tr.quantized) return requested;
    if (flattened && is_flattened_conv(name, shape, requested)) return requested;
    if (name.find("embedding") != std::string::npos || shape.back() % tr.block_elems != 0) return DType::F16;
    return requested;
}

class ConvertTypes : public ::testing::Test {
protected:
    void SetUp() override {
        // Float32 products: a bf16 variant rounds f32 weights to bf16 itself, so a bf16
        // conversion would change nothing it computes and the "rounded weights" check could not hold.
        ctx = sdn_test::create_api_context(2, sdn_test::Products::Float32);
        ASSERT_NE(ctx, nullptr);
        dir = fs::path(::testing::TempDir()) / ("sdn_convert_types_" + std::to_string(::getpid()) + "_" +
                                                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::create_directories(dir);
        sdn::TestModelSpec spec;
        spec.model_channels = 64;  // time-embedding and feed-forward rows of 256: K-quant eligible
        spec.with_clip = false;    // the sampler takes conditioning tensors directly
        source = (dir / "source.safetensors").string();
        sdn::write_safetensors(source, sdn::make_test_model_tensors(spec, 11), DType::F32);
    }
    void TearDown() override {
        sdn_context_free(ctx);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }

    // Two euler/karras steps on an 8x8 latent, then the VAE decode; the image's values.
    std::vector<float> generate(const std::string& path) {
        sdn_model* model = nullptr;
        sdn_vae* vae = nullptr;
        std::vector<float> image;
        EXPECT_EQ(sdn_checkpoint_load(ctx, path.c_str(), nullptr, &model, nullptr, &vae), SDN_OK)
            << sdn_context_last_error(ctx);
        if (!model || !vae) return image;
        const int64_t x_dims[4] = {1, 4, 8, 8}, c_dims[3] = {1, 77, 64};
        std::vector<float> x(4 * 8 * 8), cond(77 * 64);
        for (size_t k = 0; k < x.size(); ++k) x[k] = std::sin(0.37f * static_cast<float>(k));
        for (size_t k = 0; k < cond.size(); ++k) cond[k] = std::cos(0.11f * static_cast<float>(k));
        sdn_tensor *xt = nullptr, *ct = nullptr, *latent_out = nullptr, *image_out = nullptr;
        EXPECT_EQ(sdn_tensor_create(4, x_dims, x.data(), &xt), SDN_OK);
        EXPECT_EQ(sdn_tensor_create(3, c_dims, cond.data(), &ct), SDN_OK);
        sdn_latent_t latent;
        sdn_latent_init(&latent);
        latent.samples = xt;
        sdn_cond_t pos;
        sdn_cond_init(&pos);
        pos.tokens = ct;
        sdn_sample_params_t params;
        sdn_sample_params_init(&params);
        params.sampler = "euler";
        params.scheduler = "karras";
        params.steps = 2;
        params.seed = 3;
        EXPECT_EQ(sdn_sample(ctx, model, &params, &pos, 1, &pos, 1, &latent, &latent_out), SDN_OK)
            << sdn_context_last_error(ctx);
        if (latent_out) {
            EXPECT_EQ(sdn_vae_decode(ctx, vae, latent_out, nullptr, &image_out), SDN_OK) << sdn_context_last_error(ctx);
        }
        if (image_out) image.assign(sdn_tensor_data(image_out), sdn_tensor_data(image_out) + sdn_tensor_element_count(image_out));
        sdn_tensor_free(image_out);
        sdn_tensor_free(latent_out);
        sdn_tensor_free(xt);
        sdn_tensor_free(ct);
        sdn_vae_free(vae);
        sdn_model_free(model);
        return image;
    }

    sdn_context* ctx = nullptr;
    fs::path dir;
    std::string source;
};

// Every type in both conv layouts (sdn_convert: "f16").
class ConvertTypesInLayout : public ConvertTypes, public ::testing::WithParamInterface<const char*> {};

TEST_P(ConvertTypesInLayout, EveryListedTypeIsWrittenLoadsAndGenerates) {
    const std::vector<float> reference = generate(source);
    ASSERT_EQ(reference.size(), 64u * 64 * 3);
    const std::string layout = GetParam();
    for (const char* name : kListedTypes) {
        SCOPED_TRACE(name);
        const DType requested = sdn::dtype_from_name(name);
        const std::string out = (dir / (std::string(name) + ".gguf")).string();
        const sdn_status status = layout == "f16"
                                      ? sdn_convert(ctx, source.c_str(), out.c_str(), name, nullptr)
                                      : sdn_convert_with_conv_layout(ctx, source.c_str(), out.c_str(), name,
                                                                     nullptr, layout.c_str());
        ASSERT_EQ(status, SDN_OK) << sdn_context_last_error(ctx);
        {
            auto converted = sdn::Checkpoint::open(out);
            int with_requested_type = 0;
            for (const sdn::TensorEntry& e : converted->file().tensors()) {
                EXPECT_EQ(e.ref.type, expected_type(e.name, e.ref.shape, requested, layout == "flattened")) << e.name;
                with_requested_type += e.ref.type == requested;
            }
            EXPECT_GT(with_requested_type, 0) << "no tensor was eligible for " << name;
        }
        const std::vector<float> image = generate(out);
        ASSERT_EQ(image.size(), reference.size());
        double diff = 0;
        for (size_t i = 0; i < image.size(); ++i) {
            ASSERT_TRUE(std::isfinite(image[i])) << "value " << i;
            diff = std::max(diff, double(std::fabs(image[i] - reference[i])));
        }
        if (requested == DType::F32) EXPECT_EQ(diff, 0.0);
        else EXPECT_GT(diff, 0.0) << "the rounded weights changed nothing";
        fs::remove(out);
    }
}

INSTANTIATE_TEST_SUITE_P(ConvLayouts, ConvertTypesInLayout, ::testing::Values("f16", "flattened"));

TEST_F(ConvertTypes, AnUnlistedTypeIsRefusedNamingTheValidOnes) {
    const std::string out = (dir / "bad.gguf").string();
    for (const char* bad : {"i64", "q8_1", "nonsense"}) {
        EXPECT_NE(sdn_convert(ctx, source.c_str(), out.c_str(), bad, nullptr), SDN_OK) << bad;
        const std::string m = sdn_context_last_error(ctx);
        EXPECT_NE(m.find(bad), std::string::npos) << m;
        EXPECT_NE(m.find("f32, f16, bf16, q8_0, q5_0, q5_1, q4_0, q4_1, q6_K, q5_K, q4_K, q3_K, q2_K"), std::string::npos)
            << m;
    }
}

TEST_F(ConvertTypes, Q8_0ConvsAreStoredAsRowsOfCkkWithTheirShapeRecordedOrKeptF16OnRequest) {
    const std::string flat = (dir / "flat.gguf").string(), f16 = (dir / "f16.gguf").string();
    ASSERT_EQ(sdn_convert_with_conv_layout(ctx, source.c_str(), flat.c_str(), "q8_0", nullptr, "flattened"), SDN_OK)
        << sdn_context_last_error(ctx);
    ASSERT_EQ(sdn_convert_with_conv_layout(ctx, source.c_str(), f16.c_str(), "q8_0", nullptr, "f16"), SDN_OK)
        << sdn_context_last_error(ctx);
    const std::string conv = "model.diffusion_model.input_blocks.1.0.in_layers.2.weight";  // [64, 64, 3, 3]
    const auto flat_file = sdn::Checkpoint::open(flat), f16_file = sdn::Checkpoint::open(f16);
    const sdn::TensorEntry* q = flat_file->file().find(conv);
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->ref.type, DType::Q8_0);
    EXPECT_EQ(q->ref.shape, (std::vector<int64_t>{64, 64, 3, 3}));
    EXPECT_EQ(q->ref.row_elems(), 64 * 9);
    const auto& meta = flat_file->file().metadata();
    EXPECT_NE(meta.find("comfy.gguf.orig_shape." + conv), meta.end());
    // conv_in's rows of 4*3*3 = 36 are not whole blocks: f16 in both layouts.
    EXPECT_EQ(flat_file->file().find("model.diffusion_model.input_blocks.0.0.weight")->ref.type, DType::F16);
    // The VAE's convs are not the UNet's: f16 in both.
    EXPECT_EQ(flat_file->file().find("first_stage_model.decoder.conv_in.weight")->ref.type, DType::F16);
    const sdn::TensorEntry* h = f16_file->file().find(conv);
    ASSERT_NE(h, nullptr);
    EXPECT_EQ(h->ref.type, DType::F16);
    EXPECT_EQ(f16_file->file().metadata().count("comfy.gguf.orig_shape." + conv), 0u);

    // Converting the flattened file again keeps the conv's blocks and its record.
    const std::string again = (dir / "again.gguf").string();
    ASSERT_EQ(sdn_convert_with_conv_layout(ctx, flat.c_str(), again.c_str(), "q8_0", nullptr, "f16"), SDN_OK)
        << sdn_context_last_error(ctx);
    const auto again_file = sdn::Checkpoint::open(again);
    const sdn::TensorEntry* r = again_file->file().find(conv);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->ref.type, DType::Q8_0);
    EXPECT_EQ(r->ref.shape, q->ref.shape);
    ASSERT_EQ(r->ref.nbytes, q->ref.nbytes);
    EXPECT_EQ(std::memcmp(r->ref.data, q->ref.data, static_cast<size_t>(q->ref.nbytes)), 0);
}

TEST_F(ConvertTypes, AnUnknownConvLayoutIsRefusedNamingTheValidOnes) {
    const std::string out = (dir / "bad.gguf").string();
    EXPECT_EQ(sdn_convert_with_conv_layout(ctx, source.c_str(), out.c_str(), "q8_0", nullptr, "sdcpp"),
              SDN_ERR_INVALID_ARGUMENT);
    const std::string message = sdn_context_last_error(ctx);
    EXPECT_NE(message.find("'sdcpp'"), std::string::npos) << message;
    EXPECT_NE(message.find("flattened or f16"), std::string::npos) << message;
}

}  // namespace
