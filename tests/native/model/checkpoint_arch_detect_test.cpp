// Architecture and component detection from names and shapes, and the ignore list, on
// hand-made name tables (no files).
#include <gtest/gtest.h>

#include <map>

#include "model/arch_detect.h"
#include "core/error.h"
#include "model/tensor_names.h"
#include "model/test_model_writer.h"

namespace {

using namespace sdn;

struct Table {
    std::map<std::string, WeightRef> refs;
    void add(const std::string& name, std::vector<int64_t> shape) {
        WeightRef r;
        r.type = DType::F16;
        r.shape = std::move(shape);
        r.data = this;  // never read
        refs[name] = r;
    }
    std::vector<std::string> names() const {
        std::vector<std::string> n;
        for (const auto& [k, v] : refs) n.push_back(k);
        return n;
    }
    WeightLookup lookup() const {
        return [this](const std::string& n) -> const WeightRef* {
            auto it = refs.find(n);
            return it == refs.end() ? nullptr : &it->second;
        };
    }
    ArchDetection detect() const { return detect_architecture(names(), lookup()); }
};

// The keys detect_unet_config reads for one input block with a transformer.
void add_attention_block(Table& t, const std::string& p, int64_t ch, int64_t context, bool linear) {
    t.add(p + "0.in_layers.0.weight", {ch});
    t.add(p + "1.transformer_blocks.0.norm1.weight", {ch});
    t.add(p + "1.transformer_blocks.0.attn2.to_k.weight", {ch, context});
    t.add(p + "1.proj_in.weight", linear ? std::vector<int64_t>{ch, ch} : std::vector<int64_t>{ch, ch, 1, 1});
}

// A table of the shapes the project's tiny-model writer emits for a spec.
Table from_writer(const TestModelSpec& spec) {
    Table t;
    for (const TestTensor& x : make_test_model_tensors(spec, 1)) t.add(x.name, x.shape);
    return t;
}

TEST(CheckpointArchDetect, Sd1CheckpointByContextWidth768) {
    Table t;
    t.add("model.diffusion_model.input_blocks.0.0.weight", {320, 4, 3, 3});
    add_attention_block(t, "model.diffusion_model.input_blocks.1.", 320, 768, false);
    t.add("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", {49408, 768});
    t.add("first_stage_model.decoder.conv_in.weight", {512, 4, 3, 3});
    const ArchDetection d = t.detect();
    EXPECT_EQ(d.arch, SDN_ARCH_SD1);
    EXPECT_EQ(d.prediction, SDN_PREDICTION_EPS);
    EXPECT_TRUE(d.has_unet && d.has_clip && d.has_vae);
    EXPECT_EQ(d.unet_prefix, "model.diffusion_model.");
    EXPECT_EQ(d.vae_prefix, "first_stage_model.");
    EXPECT_EQ(d.unet.model_channels, 320);
    EXPECT_EQ(d.unet.context_dim, 768);
    EXPECT_NE(d.evidence.find("768"), std::string::npos);
}

TEST(CheckpointArchDetect, FullSizeSd2AndSdxlByContextWidthAndAdmInput) {
    Table sd2;
    sd2.add("model.diffusion_model.input_blocks.0.0.weight", {320, 4, 3, 3});
    add_attention_block(sd2, "model.diffusion_model.input_blocks.1.", 320, 1024, true);
    EXPECT_EQ(sd2.detect().arch, SDN_ARCH_SD2);
    EXPECT_NO_THROW(require_supported(sd2.detect(), "x"));
    // A v_pred key makes it a v-prediction model whatever the heuristic says.
    Table sd2v = sd2;
    sd2v.add("v_pred", {1});
    EXPECT_EQ(sd2v.detect().prediction, SDN_PREDICTION_V);

    Table xl;
    xl.add("model.diffusion_model.input_blocks.0.0.weight", {320, 4, 3, 3});
    xl.add("model.diffusion_model.input_blocks.1.0.in_layers.0.weight", {320});
    xl.add("model.diffusion_model.input_blocks.2.0.in_layers.0.weight", {320});
    xl.add("model.diffusion_model.input_blocks.3.0.op.weight", {320, 320, 3, 3});
    add_attention_block(xl, "model.diffusion_model.input_blocks.4.", 640, 2048, true);
    xl.add("model.diffusion_model.label_emb.0.0.weight", {1280, 2816});
    const ArchDetection d = xl.detect();
    EXPECT_EQ(d.arch, SDN_ARCH_SDXL);
    EXPECT_FALSE(d.unet.attention_at_level0);
    EXPECT_EQ(d.unet.context_dim, 2048);
    EXPECT_EQ(d.unet.adm_in_channels, 2816);
    EXPECT_NE(d.evidence.find("2816"), std::string::npos);
    Table refiner = xl;
    refiner.add("model.diffusion_model.label_emb.0.0.weight", {1536, 2560});
    EXPECT_EQ(refiner.detect().arch, SDN_ARCH_SDXL_REFINER);
}

TEST(CheckpointArchDetect, TinyWriterModelsOfEveryArchitecture) {
    const ArchDetection sd1 = from_writer(TestModelSpec{}).detect();
    EXPECT_EQ(sd1.arch, SDN_ARCH_SD1);
    ASSERT_EQ(sd1.clip_specs.size(), 1u);
    EXPECT_FALSE(sd1.clip_specs[0].open_clip_names);

    const ArchDetection sd2 = from_writer(tiny_sd2_spec()).detect();
    EXPECT_EQ(sd2.arch, SDN_ARCH_SD2);
    EXPECT_TRUE(sd2.has_clip);
    ASSERT_EQ(sd2.clip_specs.size(), 1u);
    EXPECT_EQ(sd2.clip_specs[0].prefix, "cond_stage_model.model.");
    EXPECT_TRUE(sd2.clip_specs[0].norm_hidden);  // SD2 keeps the final norm on layer -2
    EXPECT_EQ(sd2.clip_specs[0].default_layer, -2);

    const ArchDetection xl = from_writer(tiny_sdxl_spec()).detect();
    EXPECT_EQ(xl.arch, SDN_ARCH_SDXL);
    EXPECT_TRUE(xl.has_clip && xl.has_vae);
    ASSERT_EQ(xl.clip_specs.size(), 2u);
    EXPECT_EQ(xl.clip_specs[0].prefix, "conditioner.embedders.0.transformer.text_model.");
    EXPECT_EQ(xl.clip_specs[1].prefix, "conditioner.embedders.1.model.");
    EXPECT_FALSE(xl.clip_specs[0].norm_hidden || xl.clip_specs[1].norm_hidden);
    EXPECT_FALSE(xl.clip_specs[1].pad_with_end);
    EXPECT_EQ(xl.unet.transformer_depth, (std::vector<int>{0, 2}));
    EXPECT_FALSE(xl.unet.attention_at_level0);
    EXPECT_TRUE(xl.unet.linear_projections);

    const ArchDetection refiner = from_writer(tiny_sdxl_refiner_spec()).detect();
    EXPECT_EQ(refiner.arch, SDN_ARCH_SDXL_REFINER);
    ASSERT_EQ(refiner.clip_specs.size(), 1u);
    EXPECT_EQ(refiner.clip_specs[0].prefix, "conditioner.embedders.0.model.");

    TestModelSpec v = tiny_sd2_spec();
    v.v_pred_key = true;
    EXPECT_EQ(from_writer(v).detect().prediction, SDN_PREDICTION_V);
}

TEST(CheckpointArchDetect, ShrunkModelsBySd1ProjectionLayout) {
    Table conv_proj;
    conv_proj.add("input_blocks.0.0.weight", {32, 4, 3, 3});
    add_attention_block(conv_proj, "input_blocks.1.", 32, 64, false);
    const ArchDetection d = conv_proj.detect();
    EXPECT_EQ(d.arch, SDN_ARCH_SD1);
    EXPECT_TRUE(d.has_unet);
    EXPECT_EQ(d.unet_prefix, "");  // a UNet-only file with bare names
    EXPECT_FALSE(d.has_clip || d.has_vae);

    Table linear_proj = conv_proj;
    linear_proj.add("input_blocks.1.1.proj_in.weight", {32, 32});
    EXPECT_EQ(linear_proj.detect().arch, SDN_ARCH_SD2);
}

TEST(CheckpointArchDetect, StandaloneVaeFileHasABarePrefixAndNoArchitecture) {
    Table t;
    t.add("encoder.conv_in.weight", {128, 3, 3, 3});
    t.add("decoder.conv_in.weight", {512, 4, 3, 3});
    const ArchDetection d = t.detect();
    EXPECT_TRUE(d.has_vae);
    EXPECT_EQ(d.vae_prefix, "");
    EXPECT_FALSE(d.has_unet);
    EXPECT_EQ(d.arch, SDN_ARCH_UNKNOWN);
    try {
        require_supported(d, "vae.safetensors");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
    }
}

TEST(CheckpointTensorNames, IgnoreListAndComponents) {
    for (const char* n : {"betas", "alphas_cumprod", "alphas_cumprod_prev", "posterior_mean_coef2",
                          "sqrt_recipm1_alphas_cumprod", "logvar", "model_ema.decay",
                          "model_ema.diffusion_modelinput_blocks00weight",
                          "cond_stage_model.transformer.text_model.embeddings.position_ids"})
        EXPECT_TRUE(is_ignored_tensor(n)) << n;
    for (const char* n : {"model.diffusion_model.out.2.weight", "betas2", "first_stage_model.quant_conv.bias",
                          "cond_stage_model.transformer.text_model.embeddings.position_embedding.weight"})
        EXPECT_FALSE(is_ignored_tensor(n)) << n;
    EXPECT_EQ(component_of("model.diffusion_model.out.2.weight", "model.diffusion_model."),
              CheckpointComponent::Unet);
    EXPECT_EQ(component_of("out.2.weight", ""), CheckpointComponent::Unet);
    EXPECT_EQ(component_of("out.2.weight", "model.diffusion_model."), CheckpointComponent::Other);
    EXPECT_EQ(component_of("cond_stage_model.transformer.text_model.final_layer_norm.bias", ""),
              CheckpointComponent::Clip);
    EXPECT_EQ(component_of("first_stage_model.decoder.conv_out.bias", ""), CheckpointComponent::Vae);
}

TEST(CheckpointArchDetect, ClipOnlyFilesUnderEachNamingAreSd1TextEncoders) {
    // CLIPLoader's files: the checkpoint's names, or the text model alone as transformers
    // saves it (with or without the "transformer." level).
    for (const std::string prefix :
         {"cond_stage_model.transformer.text_model.", "transformer.text_model.", "text_model."}) {
        Table t;
        t.add(prefix + "embeddings.token_embedding.weight", {49408, 768});
        t.add(prefix + "final_layer_norm.weight", {768});
        const ArchDetection d = t.detect();
        EXPECT_TRUE(d.has_clip) << prefix;
        EXPECT_FALSE(d.has_unet || d.has_vae) << prefix;
        EXPECT_EQ(d.clip_prefix, prefix);
        EXPECT_EQ(d.arch, SDN_ARCH_SD1) << prefix;
        EXPECT_NO_THROW(require_supported(d, "clip.safetensors"));
        EXPECT_TRUE(is_ignored_tensor(prefix + "embeddings.position_ids")) << prefix;
    }
    Table vision;  // a CLIP vision tower is no text encoder
    vision.add("vision_model.embeddings.patch_embedding.weight", {1024, 3, 14, 14});
    EXPECT_FALSE(vision.detect().has_clip);
}

}  // namespace
