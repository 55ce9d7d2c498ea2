// LDM <-> diffusers VAE tensor names: a hand-written table of translations, and a whole tiny
// VAE renamed to the diffusers layout (by regular expressions written here) decoding exactly
// like the original.
#include "model/vae_diffusers_names.h"

#include <gtest/gtest.h>

#include <regex>

#include "model/vae_model.h"
#include "vae_test_support.h"

namespace {

using namespace vae_test;
using sdn::vae::diffusers_vae_name;

TEST(VaeDiffusersNames, TranslatesEachKindOfName) {
    const struct {
        const char* ldm;
        const char* diffusers;
        const char* older;
    } table[] = {
        {"encoder.down.1.block.0.nin_shortcut.weight", "encoder.down_blocks.1.resnets.0.conv_shortcut.weight", nullptr},
        {"encoder.down.0.block.1.norm2.bias", "encoder.down_blocks.0.resnets.1.norm2.bias", nullptr},
        {"encoder.down.2.downsample.conv.bias", "encoder.down_blocks.2.downsamplers.0.conv.bias", nullptr},
        {"decoder.up.0.block.2.conv1.weight", "decoder.up_blocks.3.resnets.2.conv1.weight", nullptr},
        {"decoder.up.3.upsample.conv.weight", "decoder.up_blocks.0.upsamplers.0.conv.weight", nullptr},
        {"decoder.up.1.block.0.nin_shortcut.bias", "decoder.up_blocks.2.resnets.0.conv_shortcut.bias", nullptr},
        {"encoder.mid.block_2.norm1.weight", "encoder.mid_block.resnets.1.norm1.weight", nullptr},
        {"decoder.mid.block_1.conv2.bias", "decoder.mid_block.resnets.0.conv2.bias", nullptr},
        {"decoder.mid.attn_1.norm.weight", "decoder.mid_block.attentions.0.group_norm.weight", nullptr},
        {"decoder.mid.attn_1.q.weight", "decoder.mid_block.attentions.0.to_q.weight", "decoder.mid_block.attentions.0.query.weight"},
        {"encoder.mid.attn_1.k.bias", "encoder.mid_block.attentions.0.to_k.bias", "encoder.mid_block.attentions.0.key.bias"},
        {"encoder.mid.attn_1.v.weight", "encoder.mid_block.attentions.0.to_v.weight", "encoder.mid_block.attentions.0.value.weight"},
        {"encoder.mid.attn_1.proj_out.bias", "encoder.mid_block.attentions.0.to_out.0.bias", "encoder.mid_block.attentions.0.proj_attn.bias"},
        {"decoder.norm_out.weight", "decoder.conv_norm_out.weight", nullptr},
        {"encoder.conv_in.weight", "encoder.conv_in.weight", nullptr},
        {"decoder.conv_out.bias", "decoder.conv_out.bias", nullptr},
        {"quant_conv.weight", "quant_conv.weight", nullptr},
        {"post_quant_conv.bias", "post_quant_conv.bias", nullptr},
    };
    for (const auto& row : table) {
        EXPECT_EQ(diffusers_vae_name(row.ldm, 4, false), row.diffusers) << row.ldm;
        EXPECT_EQ(diffusers_vae_name(row.ldm, 4, true), row.older ? row.older : row.diffusers) << row.ldm;
    }
    EXPECT_EQ(diffusers_vae_name("decoder.up.4.block.0.conv1.weight", 4, false), "");  // no such level
}

// The test's own renaming, for the 4-level tiny VAE.
std::string to_diffusers(std::string n, bool older_attention_names) {
    std::smatch m;
    if (std::regex_search(n, m, std::regex(R"(^decoder\.up\.(\d+)\.)"))) {
        const int level = std::stoi(m[1]);
        n = "decoder.up_blocks." + std::to_string(3 - level) + "." + m.suffix().str();
    }
    n = std::regex_replace(n, std::regex(R"(^encoder\.down\.)"), "encoder.down_blocks.");
    n = std::regex_replace(n, std::regex(R"(_blocks\.(\d+)\.block\.)"), "_blocks.$1.resnets.");
    n = std::regex_replace(n, std::regex(R"(\.downsample\.)"), ".downsamplers.0.");
    n = std::regex_replace(n, std::regex(R"(\.upsample\.)"), ".upsamplers.0.");
    n = std::regex_replace(n, std::regex(R"(\.nin_shortcut\.)"), ".conv_shortcut.");
    n = std::regex_replace(n, std::regex(R"(\.mid\.block_1\.)"), ".mid_block.resnets.0.");
    n = std::regex_replace(n, std::regex(R"(\.mid\.block_2\.)"), ".mid_block.resnets.1.");
    n = std::regex_replace(n, std::regex(R"(\.mid\.attn_1\.norm\.)"), ".mid_block.attentions.0.group_norm.");
    const char* names[4][3] = {{"q", "to_q", "query"}, {"k", "to_k", "key"}, {"v", "to_v", "value"},
                               {"proj_out", "to_out.0", "proj_attn"}};
    for (const auto& row : names)
        n = std::regex_replace(n, std::regex(std::string(R"(\.mid\.attn_1\.)") + row[0] + R"(\.)"),
                               std::string(".mid_block.attentions.0.") + row[older_attention_names ? 2 : 1] + ".");
    n = std::regex_replace(n, std::regex(R"(\.norm_out\.)"), ".conv_norm_out.");
    return n;
}

TEST(VaeDiffusersNames, RenamedTinyVaeDecodesExactlyLikeTheOriginal) {
    TinyWeights ldm(3);
    add_tiny_vae(ldm, "", TinyConfig{}, /*linear_attention=*/true);
    for (bool older : {false, true}) {
        TinyWeights diffusers(3);
        for (const std::string& name : ldm.names())
            diffusers.add_values("vae." + to_diffusers(name, older), ldm.shape(name), [&] {
                std::vector<float> v;
                for (double x : ldm.values(name)) v.push_back(float(x));
                return v;
            }());
        ASSERT_TRUE(sdn::vae::is_diffusers_vae(diffusers.lookup(), "vae."));
        ASSERT_FALSE(sdn::vae::is_diffusers_vae(ldm.lookup(), ""));
        const auto from_diffusers = sdn::Vae::load(sdn::vae::diffusers_vae_lookup(diffusers.lookup(), "vae.", ""), "");
        const auto original = sdn::Vae::load(ldm.lookup(), "");

        sdn::Context ctx = make_context();
        const sdn::Tensor z = to_tensor(random_map(4, 2, 3, 41));
        const sdn::Tensor a = from_diffusers->decode(ctx, z), b = original->decode(ctx, z);
        ASSERT_EQ(a.shape(), b.shape());
        for (int64_t i = 0; i < a.size(); ++i) ASSERT_EQ(a.data()[i], b.data()[i]) << i;
    }
}

}  // namespace
