// Text-encoder files (CLIPLoader / DualCLIPLoader through sdn_clip_load): a tiny checkpoint's
// encoders split into files of their own, in transformers names (bigG's q/k/v split out of
// in_proj and its projection stored as the Linear weight text_projection.weight, i.e.
// transposed) and in OpenCLIP / checkpoint names, give the checkpoint's own conditioning and
// pooled output bit for bit, in either file order. The bigG and ViT-H encoders of these
// checkpoints have 32 and 24 layers so that ComfyUI's layer-count rule tells them apart.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/test_model_writer.h"
#include "model/text_encoder_files.h"
#include "sdnative.h"
#include "support/api_context.h"
#include "support/shared_dir.h"

namespace {

namespace fs = std::filesystem;
using sdn::TestTensor;

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

// The tensors under prefix, renamed to replacement + rest.
std::vector<TestTensor> extract(const std::vector<TestTensor>& all, const std::string& prefix,
                                const std::string& replacement) {
    std::vector<TestTensor> out;
    for (const TestTensor& t : all)
        if (starts_with(t.name, prefix)) {
            TestTensor c = t;
            c.name = replacement + t.name.substr(prefix.size());
            out.push_back(std::move(c));
        }
    return out;
}

TestTensor rows(const TestTensor& t, int64_t first, int64_t count, const std::string& name) {
    TestTensor out;
    out.name = name;
    const int64_t row = t.shape.size() == 2 ? t.shape[1] : 1;
    out.shape = t.shape;
    out.shape[0] = count;
    out.values.assign(t.values.begin() + first * row, t.values.begin() + (first + count) * row);
    return out;
}

// An OpenCLIP text tower (bare names) in the transformers layout, written here from the
// naming rules of transformers' CLIPTextModelWithProjection: separate q/k/v projections and
// the projection as a Linear weight [out, in] (the transpose of OpenCLIP's [in, out] matrix).
// linear_projection false keeps the matrix under "text_projection" as ComfyUI's old CLIPSave
// node wrote it.
std::vector<TestTensor> to_transformers_names(const std::vector<TestTensor>& open_clip,
                                              bool linear_projection = true) {
    static const std::pair<const char*, const char*> kParts[] = {
        {"ln_1.", "layer_norm1."},          {"ln_2.", "layer_norm2."},
        {"attn.out_proj.", "self_attn.out_proj."}, {"mlp.c_fc.", "mlp.fc1."},
        {"mlp.c_proj.", "mlp.fc2."},
    };
    std::vector<TestTensor> out;
    for (const TestTensor& t : open_clip) {
        TestTensor c = t;
        const std::string n = t.name;
        if (n == "token_embedding.weight") {
            c.name = "text_model.embeddings.token_embedding.weight";
        } else if (n == "positional_embedding") {
            c.name = "text_model.embeddings.position_embedding.weight";
        } else if (starts_with(n, "ln_final.")) {
            c.name = "text_model.final_layer_norm." + n.substr(9);
        } else if (n == "text_projection") {
            if (linear_projection) {
                const int64_t in = t.shape[0], o = t.shape[1];
                c.name = "text_projection.weight";
                c.shape = {o, in};
                for (int64_t r = 0; r < o; ++r)
                    for (int64_t k = 0; k < in; ++k) c.values[r * in + k] = t.values[k * o + r];
            }
        } else if (starts_with(n, "transformer.resblocks.")) {
            const std::string rest = n.substr(22);
            const std::string layer = rest.substr(0, rest.find('.'));
            const std::string part = rest.substr(layer.size() + 1);
            const std::string p = "text_model.encoder.layers." + layer + ".";
            if (part == "attn.in_proj_weight" || part == "attn.in_proj_bias") {
                const char* suffix = part == "attn.in_proj_weight" ? "weight" : "bias";
                const int64_t d = t.shape[0] / 3;
                const char* qkv[] = {"q_proj", "k_proj", "v_proj"};
                for (int i = 0; i < 3; ++i)
                    out.push_back(rows(t, i * d, d, p + "self_attn." + qkv[i] + "." + suffix));
                continue;
            }
            for (const auto& [from, to] : kParts)
                if (starts_with(part, from)) c.name = p + to + part.substr(std::string(from).size());
        } else {
            ADD_FAILURE() << "unexpected OpenCLIP tensor " << n;
        }
        out.push_back(std::move(c));
    }
    return out;
}

struct Encoded {
    std::vector<float> cond, pooled;
};

class TextEncoderFiles : public ::testing::Test {
protected:
    void SetUp() override {
        ctx = sdn_test::create_api_context();
        ASSERT_NE(ctx, nullptr);
        dir = fs::path(::testing::TempDir()) /
              ("sdn_te_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
        fs::create_directories(dir);
        unsetenv("SDN_TOKENIZER");
    }
    void TearDown() override {
        sdn_context_free(ctx);
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    std::string write(const std::string& name, const std::vector<TestTensor>& tensors) {
        const std::string p = (dir / name).string();
        sdn::write_safetensors(p, tensors, sdn::DType::F32);
        return p;
    }
    sdn_load_options_t options() const {
        sdn_load_options_t opt;
        sdn_load_options_init(&opt);
        opt.tokenizer_path = vocab.c_str();
        return opt;
    }
    Encoded encode(sdn_clip* clip) {
        sdn_tensor *cond = nullptr, *pooled = nullptr;
        EXPECT_EQ(sdn_clip_encode(ctx, clip, "a lighthouse at dusk, (oil painting:1.2)", 0, &cond, &pooled), SDN_OK)
            << sdn_context_last_error(ctx);
        Encoded e;
        if (cond) e.cond.assign(sdn_tensor_data(cond), sdn_tensor_data(cond) + sdn_tensor_element_count(cond));
        if (pooled) e.pooled.assign(sdn_tensor_data(pooled), sdn_tensor_data(pooled) + sdn_tensor_element_count(pooled));
        sdn_tensor_free(cond);
        sdn_tensor_free(pooled);
        return e;
    }
    Encoded checkpoint_encoding(const std::string& path) {
        const sdn_load_options_t opt = options();
        sdn_clip* clip = nullptr;
        EXPECT_EQ(sdn_checkpoint_load(ctx, path.c_str(), &opt, nullptr, &clip, nullptr), SDN_OK)
            << sdn_context_last_error(ctx);
        Encoded e = clip ? encode(clip) : Encoded{};
        sdn_clip_free(clip);
        return e;
    }
    // Loads with sdn_clip_load and encodes; empty on failure (error in last_error()).
    Encoded files_encoding(const std::string& a, const std::string& b, const char* type) {
        const sdn_load_options_t opt = options();
        sdn_clip* clip = nullptr;
        status = sdn_clip_load(ctx, a.c_str(), b.empty() ? nullptr : b.c_str(), type, &opt, &clip);
        Encoded e = clip ? encode(clip) : Encoded{};
        sdn_clip_free(clip);
        return e;
    }
    std::string last_error() const { return sdn_context_last_error(ctx); }

    sdn_context* ctx = nullptr;
    fs::path dir;
    std::string vocab;
    sdn_status status = SDN_OK;
};

// A tiny SDXL checkpoint with a 32-layer bigG, text encoders only.
std::vector<TestTensor> sdxl_text_encoders() {
    sdn::TestModelSpec spec = sdn::tiny_sdxl_spec();
    spec.open_clip_layers = 32;
    spec.with_unet = false;
    spec.with_vae = false;
    return sdn::make_test_model_tensors(spec, 77);
}

const std::string kL = "conditioner.embedders.0.transformer.", kG = "conditioner.embedders.1.model.";

#define SDN_TEST_VOCAB()                                               \
    SDN_REQUIRE_SHARED_DIR(shared);                                    \
    vocab = shared + "/data/clip/bpe_simple_vocab_16e6.txt.gz"

TEST_F(TextEncoderFiles, DualSdxlFilesInEitherNamingAndOrderGiveTheCheckpointsConditioning) {
    SDN_TEST_VOCAB();
    const auto all = sdxl_text_encoders();
    const Encoded expected = checkpoint_encoding(write("sdxl.safetensors", all));
    ASSERT_EQ(expected.pooled.size(), 64u);
    ASSERT_FALSE(expected.cond.empty());

    const std::string l_hf = write("clip_l.safetensors", extract(all, kL, ""));
    const std::string g_open = write("clip_g_openclip.safetensors", extract(all, kG, ""));
    const std::string g_hf = write("clip_g.safetensors", to_transformers_names(extract(all, kG, "")));
    const std::string l_prefixed = write("l_prefixed.safetensors", extract(all, kL, kL));
    const std::string g_prefixed = write("g_prefixed.safetensors", extract(all, kG, kG));
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {l_hf, g_hf}, {g_hf, l_hf}, {l_hf, g_open}, {g_open, l_hf}, {g_prefixed, l_prefixed}, {l_hf, g_prefixed},
    };
    for (const auto& [a, b] : pairs) {
        SCOPED_TRACE(fs::path(a).filename().string() + " + " + fs::path(b).filename().string());
        const Encoded got = files_encoding(a, b, "sdxl");
        ASSERT_EQ(status, SDN_OK) << last_error();
        EXPECT_EQ(got.cond, expected.cond);
        EXPECT_EQ(got.pooled, expected.pooled);
    }
}

TEST_F(TextEncoderFiles, TheTransformersProjectionIsALinearWeightAndTheOldMatrixFormLoadsToo) {
    SDN_TEST_VOCAB();
    const auto all = sdxl_text_encoders();
    const Encoded expected = checkpoint_encoding(write("sdxl.safetensors", all));
    const std::string l_hf = write("clip_l.safetensors", extract(all, kL, ""));
    // ComfyUI's old CLIPSave wrote OpenCLIP's matrix under the bare name in transformers files.
    const auto old_form = to_transformers_names(extract(all, kG, ""), /*linear_projection=*/false);
    const Encoded matrix = files_encoding(l_hf, write("clip_g_old.safetensors", old_form), "sdxl");
    ASSERT_EQ(status, SDN_OK) << last_error();
    EXPECT_EQ(matrix.pooled, expected.pooled);

    // The matrix stored as if it were the Linear weight (the transpose bug) gives another
    // pooled output: the projection is not symmetric, so orientation shows.
    auto wrong = old_form;
    for (TestTensor& t : wrong)
        if (t.name == "text_projection") t.name = "text_projection.weight";
    const Encoded flipped = files_encoding(l_hf, write("clip_g_flipped.safetensors", wrong), "sdxl");
    ASSERT_EQ(status, SDN_OK) << last_error();
    ASSERT_EQ(flipped.pooled.size(), expected.pooled.size());
    double diff = 0.0;
    for (size_t i = 0; i < expected.pooled.size(); ++i) diff += std::abs(flipped.pooled[i] - expected.pooled[i]);
    EXPECT_GT(diff / static_cast<double>(expected.pooled.size()), 1e-3);
    EXPECT_EQ(flipped.cond, expected.cond);  // the projection touches the pooled output only
}

TEST_F(TextEncoderFiles, OneFileIsSd1sClipLSd2sVitHOrTheRefinersBigG) {
    SDN_TEST_VOCAB();
    // SD2: a 24-layer ViT-H, as a bare OpenCLIP file and in transformers names.
    sdn::TestModelSpec sd2 = sdn::tiny_sd2_spec();
    sd2.open_clip_layers = 24;
    sd2.with_unet = sd2.with_vae = false;
    const auto h = sdn::make_test_model_tensors(sd2, 5);
    const Encoded h_expected = checkpoint_encoding(write("sd2.safetensors", h));
    for (const auto& file : {write("h_open.safetensors", extract(h, "cond_stage_model.model.", "")),
                             write("h_hf.safetensors", to_transformers_names(extract(h, "cond_stage_model.model.", ""))),
                             write("h_prefixed.safetensors", extract(h, "cond_stage_model.model.", "cond_stage_model.model."))}) {
        const Encoded got = files_encoding(file, "", "stable_diffusion");
        ASSERT_EQ(status, SDN_OK) << file << ": " << last_error();
        EXPECT_EQ(got.cond, h_expected.cond) << file;
    }
    // The refiner: bigG alone.
    sdn::TestModelSpec refiner = sdn::tiny_sdxl_refiner_spec();
    refiner.open_clip_layers = 32;
    refiner.with_unet = refiner.with_vae = false;
    const auto g = sdn::make_test_model_tensors(refiner, 6);
    const Encoded g_expected = checkpoint_encoding(write("refiner.safetensors", g));
    const Encoded g_got = files_encoding(
        write("g_hf.safetensors", to_transformers_names(extract(g, "conditioner.embedders.0.model.", ""))), "",
        "stable_diffusion");
    ASSERT_EQ(status, SDN_OK) << last_error();
    EXPECT_EQ(g_got.cond, g_expected.cond);
    EXPECT_EQ(g_got.pooled, g_expected.pooled);
    // SD1's CLIP-L.
    sdn::TestModelSpec sd1;
    sd1.with_unet = sd1.with_vae = false;
    const auto l = sdn::make_test_model_tensors(sd1, 7);
    const Encoded l_expected = checkpoint_encoding(write("sd1.safetensors", l));
    const Encoded l_got = files_encoding(
        write("l.safetensors", extract(l, "cond_stage_model.transformer.", "")), "", "stable_diffusion");
    ASSERT_EQ(status, SDN_OK) << last_error();
    EXPECT_EQ(l_got.cond, l_expected.cond);
}

TEST_F(TextEncoderFiles, FilesThatDoNotFitTheTypeAreRefusedByName) {
    SDN_TEST_VOCAB();
    const auto all = sdxl_text_encoders();
    const std::string l = write("clip_l.safetensors", extract(all, kL, ""));
    const std::string l2 = write("clip_l_again.safetensors", extract(all, kL, "text_model_copy."));
    const std::string g = write("clip_g.safetensors", extract(all, kG, ""));
    const std::string both = write("sdxl.safetensors", all);
    sdn::TestModelSpec unet_only = sdn::tiny_sdxl_spec();
    unet_only.with_clip = unet_only.with_vae = false;
    const std::string unet = write("unet.safetensors", sdn::make_test_model_tensors(unet_only, 1));

    struct Case {
        std::string a, b;
        const char* type;
        sdn_status status;
        const char* message;
    };
    const Case cases[] = {
        {l, l, "sdxl", SDN_ERR_INVALID_ARGUMENT, "needs one CLIP-L and one OpenCLIP ViT-bigG file"},
        {g, g, "sdxl", SDN_ERR_INVALID_ARGUMENT, "needs one CLIP-L and one OpenCLIP ViT-bigG file"},
        {l, "", "sdxl", SDN_ERR_INVALID_ARGUMENT, "'sdxl' takes two files"},
        {l, g, "stable_diffusion", SDN_ERR_INVALID_ARGUMENT, "'stable_diffusion' takes one file"},
        {l, g, "sd3", SDN_ERR_INVALID_ARGUMENT, "type 'sd3' is not supported"},
        {unet, "", "stable_diffusion", SDN_ERR_NOT_FOUND, "It holds a diffusion model (UNet): load it with UNETLoader"},
        {both, "", "stable_diffusion", SDN_ERR_INVALID_ARGUMENT, "holds 2 text encoders"},
        {l2, "", "stable_diffusion", SDN_ERR_NOT_FOUND, "no text encoder"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.message);
        files_encoding(c.a, c.b, c.type);
        EXPECT_EQ(status, c.status);
        EXPECT_NE(last_error().find(c.message), std::string::npos) << last_error();
    }
}

TEST(TextEncoderKind, BareNamesAreCountedAsComfyUICountsThem) {
    auto kind_of = [](int layers, bool open_clip) {
        std::vector<std::string> names;
        names.push_back(open_clip ? "token_embedding.weight" : "text_model.embeddings.token_embedding.weight");
        for (int i = 0; i < layers; ++i)
            names.push_back(open_clip ? "transformer.resblocks." + std::to_string(i) + ".mlp.c_fc.weight"
                                      : "text_model.encoder.layers." + std::to_string(i) + ".mlp.fc1.weight");
        static const sdn::WeightRef any{};
        const auto found = sdn::find_text_encoders([names](const std::string& n) -> const sdn::WeightRef* {
            for (const std::string& m : names)
                if (m == n) return &any;
            return nullptr;
        });
        EXPECT_EQ(found.size(), 1u);
        return found.empty() ? sdn::TextEncoderKind::ClipL : found.front().kind;
    };
    EXPECT_EQ(kind_of(12, false), sdn::TextEncoderKind::ClipL);
    EXPECT_EQ(kind_of(24, false), sdn::TextEncoderKind::OpenClipH);
    EXPECT_EQ(kind_of(32, false), sdn::TextEncoderKind::OpenClipBigG);
    EXPECT_EQ(kind_of(24, true), sdn::TextEncoderKind::OpenClipH);
    EXPECT_EQ(kind_of(32, true), sdn::TextEncoderKind::OpenClipBigG);
    EXPECT_THROW(kind_of(12, true), sdn::Error);
}

}  // namespace
