// Architecture and component detection from names and shapes, and the ignore list, on
// hand-made name tables (no files).
#include <gtest/gtest.h>

#include <map>

#include "model/arch_detect.h"
#include "core/error.h"
#include "model/tensor_names.h"

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

TEST(CheckpointArchDetect, Sd1CheckpointByContextWidth768) {
    Table t;
    t.add("model.diffusion_model.input_blocks.0.0.weight", {320, 4, 3, 3});
    t.add("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", {320, 768});
    t.add("cond_stage_model.transformer.text_model.embeddings.token_embedding.weight", {49408, 768});
    t.add("first_stage_model.decoder.conv_in.weight", {512, 4, 3, 3});
    const ArchDetection d = t.detect();
    EXPECT_EQ(d.arch, SDN_ARCH_SD1);
    EXPECT_TRUE(d.has_unet && d.has_clip && d.has_vae);
    EXPECT_EQ(d.unet_prefix, "model.diffusion_model.");
    EXPECT_EQ(d.vae_prefix, "first_stage_model.");
    EXPECT_NE(d.evidence.find("768"), std::string::npos);
}

TEST(CheckpointArchDetect, Sd2ByWidth1024AndSdxlByLabelEmbedding) {
    Table sd2;
    sd2.add("model.diffusion_model.input_blocks.0.0.weight", {320, 4, 3, 3});
    sd2.add("model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", {320, 1024});
    EXPECT_EQ(sd2.detect().arch, SDN_ARCH_SD2);
    EXPECT_THROW(require_supported(sd2.detect(), "x"), std::exception);

    Table xl = sd2;
    xl.add("model.diffusion_model.label_emb.0.0.weight", {1280, 2816});
    EXPECT_EQ(xl.detect().arch, SDN_ARCH_SDXL);
    Table xl2;
    xl2.add("conditioner.embedders.0.transformer.text_model.final_layer_norm.weight", {768});
    EXPECT_EQ(xl2.detect().arch, SDN_ARCH_SDXL);
}

TEST(CheckpointArchDetect, ShrunkModelsBySd1ProjectionLayout) {
    Table conv_proj;
    conv_proj.add("input_blocks.0.0.weight", {32, 4, 3, 3});
    conv_proj.add("input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight", {32, 64});
    conv_proj.add("input_blocks.1.1.proj_in.weight", {32, 32, 1, 1});
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
