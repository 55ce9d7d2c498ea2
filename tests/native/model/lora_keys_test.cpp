// LoRA stem -> weight maps. Expected names come from outside the mapping code: hand-derived
// diffusers <-> LDM pairs, the tiny LoRA writer's own walk over the test model, the shared
// oracle's SD1.5 LoRA against the SD1.5 checkpoint's names, and SDXL's names as the shared
// SDXL generator lists them (the real file's layout) against stems worked out by hand.
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "model/lora_keys.h"
#include "model/test_lora_writer.h"
#include "model/test_model_writer.h"
#include "support/shared_dir.h"

namespace {

using sdn::LoraKeyMap;

// name -> shape, as the shared generators' --list prints them ("name DTYPE [a, b]").
std::map<std::string, std::vector<int64_t>> listed(const std::string& script) {
    std::map<std::string, std::vector<int64_t>> out;
    FILE* p = ::popen(("/usr/bin/python3 " + script + " --list 2>/dev/null").c_str(), "r");
    if (!p) return out;
    char line[1024];
    while (std::fgets(line, sizeof line, p)) {
        std::istringstream in(line);
        std::string name, type, rest;
        in >> name >> type;
        std::getline(in, rest);
        std::vector<int64_t> shape;
        for (char& c : rest)
            if (c == '[' || c == ']' || c == ',') c = ' ';
        std::istringstream dims(rest);
        for (int64_t d; dims >> d;) shape.push_back(d);
        if (!name.empty() && name[0] != '#') out[name] = shape;
    }
    ::pclose(p);
    return out;
}

std::set<std::string> names_of(const std::map<std::string, std::vector<int64_t>>& m) {
    std::set<std::string> s;
    for (const auto& [n, shape] : m) s.insert(n);
    return s;
}

void expect_target(const LoraKeyMap& keys, const std::string& stem, const std::string& tensor,
                   int part = 0, int parts = 1) {
    auto it = keys.find(stem);
    ASSERT_NE(it, keys.end()) << "no target for " << stem;
    EXPECT_EQ(it->second.tensor, tensor) << stem;
    EXPECT_EQ(it->second.part, part) << stem;
    EXPECT_EQ(it->second.parts, parts) << stem;
}

TEST(LoraKeys, Sd1BlockNumberingMatchesTheDiffusersLayout) {
    // SD1: two resnets per level, three on the output path; worked out from the diffusers
    // UNet2DConditionModel layout.
    const std::pair<const char*, const char*> cases[] = {
        {"input_blocks.0.0.weight", "conv_in.weight"},
        {"time_embed.2.weight", "time_embedding.linear_2.weight"},
        {"input_blocks.1.1.proj_in.weight", "down_blocks.0.attentions.0.proj_in.weight"},
        {"input_blocks.2.0.in_layers.2.weight", "down_blocks.0.resnets.1.conv1.weight"},
        {"input_blocks.3.0.op.weight", "down_blocks.0.downsamplers.0.conv.weight"},
        {"input_blocks.4.0.skip_connection.weight", "down_blocks.1.resnets.0.conv_shortcut.weight"},
        {"input_blocks.8.1.transformer_blocks.0.attn2.to_k.weight",
         "down_blocks.2.attentions.1.transformer_blocks.0.attn2.to_k.weight"},
        {"input_blocks.11.0.out_layers.3.weight", "down_blocks.3.resnets.1.conv2.weight"},
        {"middle_block.0.emb_layers.1.weight", "mid_block.resnets.0.time_emb_proj.weight"},
        {"middle_block.1.transformer_blocks.0.ff.net.2.weight",
         "mid_block.attentions.0.transformer_blocks.0.ff.net.2.weight"},
        {"middle_block.2.in_layers.0.weight", "mid_block.resnets.1.norm1.weight"},
        {"output_blocks.2.1.conv.weight", "up_blocks.0.upsamplers.0.conv.weight"},
        {"output_blocks.5.2.conv.weight", "up_blocks.1.upsamplers.0.conv.weight"},
        {"output_blocks.5.1.proj_out.weight", "up_blocks.1.attentions.2.proj_out.weight"},
        {"output_blocks.11.1.transformer_blocks.0.attn1.to_out.0.weight",
         "up_blocks.3.attentions.2.transformer_blocks.0.attn1.to_out.0.weight"},
        {"out.2.weight", "conv_out.weight"},
    };
    for (const auto& [ldm, diffusers] : cases) EXPECT_EQ(sdn::unet_ldm_to_diffusers(ldm, 2), diffusers) << ldm;
}

// SD1 and SDXL base: SDXL's level with two transformer blocks, lora_te1_ on CLIP-L and
// lora_te2_ on bigG's OpenCLIP names (q/k/v as thirds of in_proj).
TEST(LoraKeys, TinyModelModulesMapToTheWeightsTheWriterAimedAt) {
    for (const sdn::TestModelSpec& model : {sdn::TestModelSpec{}, sdn::tiny_sdxl_spec()}) {
        std::set<std::string> unet, clip;
        for (const auto& t : sdn::make_test_model_tensors(model, 0))
            (t.name.rfind("model.diffusion_model.", 0) == 0 ? unet : clip).insert(t.name);
        for (const auto naming : {sdn::TestLoraNaming::Kohya, sdn::TestLoraNaming::Peft}) {
            sdn::TestLoraSpec spec;
            spec.naming = naming;
            spec.locon = naming == sdn::TestLoraNaming::Kohya;
            std::vector<sdn::TestLoraModule> modules;
            sdn::make_test_lora_tensors(model, spec, 1, &modules);
            ASSERT_GT(modules.size(), 30u);
            const LoraKeyMap unet_keys = sdn::unet_lora_keys(unet), clip_keys = sdn::clip_lora_keys(clip);
            int thirds = 0;
            for (const auto& m : modules) {
                const bool is_unet = m.target.rfind("model.diffusion_model.", 0) == 0;
                expect_target(is_unet ? unet_keys : clip_keys, m.stem, m.target, m.part, m.parts);
                EXPECT_EQ((is_unet ? clip_keys : unet_keys).count(m.stem), 0u) << m.stem;
                thirds += m.parts == 3;
            }
            // bigG's two layers: q, k and v each.
            EXPECT_EQ(thirds, model.clip_layout == sdn::TestClipLayout::SdxlBase ? 6 : 0);
        }
    }
}

TEST(LoraKeys, EveryModuleOfTheOracleSd15LoraFindsAWeightOfItsShape) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const auto ckpt = listed(shared + "/oracle/make_random_sd15.py");
    const auto lora = listed(shared + "/oracle/make_random_lora.py");
    ASSERT_EQ(ckpt.size(), 1143u);
    ASSERT_EQ(lora.size(), 792u);
    std::set<std::string> unet, clip;
    for (const auto& [n, s] : ckpt) {
        if (n.rfind("model.diffusion_model.", 0) == 0) unet.insert(n);
        if (n.rfind("cond_stage_model.", 0) == 0) clip.insert(n);
    }
    const LoraKeyMap unet_keys = sdn::unet_lora_keys(unet), clip_keys = sdn::clip_lora_keys(clip);
    int unet_modules = 0, clip_modules = 0;
    for (const auto& [name, up_shape] : lora) {
        const std::string suffix = ".lora_up.weight";
        if (name.size() < suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string stem = name.substr(0, name.size() - suffix.size());
        const bool is_unet = stem.rfind("lora_unet_", 0) == 0;
        const LoraKeyMap& keys = is_unet ? unet_keys : clip_keys;
        auto it = keys.find(stem);
        ASSERT_NE(it, keys.end()) << stem;
        const auto& w = ckpt.at(it->second.tensor);
        const auto& down = lora.at(stem + ".lora_down.weight");
        EXPECT_EQ(w[0], up_shape[0]) << stem << " -> " << it->second.tensor;
        EXPECT_EQ(w[1], down[1]) << stem << " -> " << it->second.tensor;
        ++(is_unet ? unet_modules : clip_modules);
    }
    EXPECT_EQ(unet_modules, 192);
    EXPECT_EQ(clip_modules, 72);
}

TEST(LoraKeys, SdxlStemsMapByTheCheckpointsOwnNames) {
    SDN_REQUIRE_SHARED_DIR(shared);
    const auto sdxl = listed(shared + "/oracle/make_random_sdxl.py");
    ASSERT_EQ(sdxl.size(), 2515u);
    std::set<std::string> unet, clip;
    for (const auto& [n, s] : sdxl) {
        if (n.rfind("model.diffusion_model.", 0) == 0) unet.insert(n);
        if (n.rfind("conditioner.embedders.", 0) == 0) clip.insert(n);
    }
    const LoraKeyMap u = sdn::unet_lora_keys(unet);
    const std::string p = "model.diffusion_model.";
    // Three levels, two resnets each, no attention at level 0; ten blocks deep at level 2.
    expect_target(u, "lora_unet_down_blocks_0_resnets_1_conv1", p + "input_blocks.2.0.in_layers.2.weight");
    expect_target(u, "lora_unet_down_blocks_0_downsamplers_0_conv", p + "input_blocks.3.0.op.weight");
    expect_target(u, "lora_unet_down_blocks_1_attentions_0_transformer_blocks_1_attn2_to_k",
                  p + "input_blocks.4.1.transformer_blocks.1.attn2.to_k.weight");
    expect_target(u, "lora_unet_down_blocks_2_attentions_1_proj_in", p + "input_blocks.8.1.proj_in.weight");
    expect_target(u, "lora_unet_mid_block_attentions_0_transformer_blocks_9_ff_net_0_proj",
                  p + "middle_block.1.transformer_blocks.9.ff.net.0.proj.weight");
    expect_target(u, "lora_unet_up_blocks_0_attentions_2_transformer_blocks_9_attn1_to_out_0",
                  p + "output_blocks.2.1.transformer_blocks.9.attn1.to_out.0.weight");
    expect_target(u, "lora_unet_up_blocks_0_upsamplers_0_conv", p + "output_blocks.2.2.conv.weight");
    expect_target(u, "lora_unet_up_blocks_2_resnets_2_conv_shortcut", p + "output_blocks.8.0.skip_connection.weight");
    expect_target(u, "lora_unet_label_emb_0_0", p + "label_emb.0.0.weight");
    expect_target(u, "unet.up_blocks.1.attentions.0.transformer_blocks.0.attn2.processor.to_out",
                  p + "output_blocks.3.1.transformer_blocks.0.attn2.to_out.0.weight");
    EXPECT_EQ(u.count("lora_unet_down_blocks_0_attentions_0_proj_in"), 0u);

    const LoraKeyMap c = sdn::clip_lora_keys(clip);
    const std::string l = "conditioner.embedders.0.transformer.text_model.encoder.layers.";
    const std::string g = "conditioner.embedders.1.model.transformer.resblocks.";
    expect_target(c, "lora_te1_text_model_encoder_layers_11_mlp_fc1", l + "11.mlp.fc1.weight");
    expect_target(c, "lora_te1_text_model_encoder_layers_0_self_attn_q_proj", l + "0.self_attn.q_proj.weight");
    expect_target(c, "text_encoder.text_model.encoder.layers.3.self_attn.out_proj", l + "3.self_attn.out_proj.weight");
    // CLIP-G keeps OpenCLIP's fused in_proj: q, k, v are its row thirds.
    expect_target(c, "lora_te2_text_model_encoder_layers_31_self_attn_q_proj", g + "31.attn.in_proj_weight", 0, 3);
    expect_target(c, "lora_te2_text_model_encoder_layers_31_self_attn_v_proj", g + "31.attn.in_proj_weight", 2, 3);
    expect_target(c, "lora_te2_text_model_encoder_layers_0_self_attn_out_proj", g + "0.attn.out_proj.weight");
    expect_target(c, "lora_te2_text_model_encoder_layers_5_mlp_fc1", g + "5.mlp.c_fc.weight");
    expect_target(c, "text_encoder_2.text_model.encoder.layers.5.mlp.fc2", g + "5.mlp.c_proj.weight");
    EXPECT_EQ(c.count("lora_te2_text_model_encoder_layers_32_mlp_fc1"), 0u);  // 32 layers: 0..31
    EXPECT_EQ(c.count("lora_te1_text_model_encoder_layers_12_mlp_fc1"), 0u);  // 12 layers: 0..11
    EXPECT_TRUE(sdxl.count(g + "31.attn.in_proj_weight"));
    EXPECT_EQ(sdxl.at(g + "31.attn.in_proj_weight"), (std::vector<int64_t>{3840, 1280}));
}

}  // namespace
