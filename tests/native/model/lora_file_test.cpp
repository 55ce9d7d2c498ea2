// Grouping a LoRA file's tensors into modules: each naming scheme ComfyUI reads, alpha, LoCon's
// mid, LoHa and LoKr parts, and tensors that make no whole module (left for the "lora key not
// loaded" report).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/error.h"
#include "model/lora_file.h"
#include "model/test_model_writer.h"

namespace {

namespace fs = std::filesystem;

sdn::TestTensor tensor(const std::string& name, std::vector<int64_t> shape) {
    sdn::TestTensor t;
    t.name = name;
    t.shape = std::move(shape);
    int64_t n = 1;
    for (int64_t d : t.shape) n *= d;
    t.values.assign(static_cast<size_t>(n), 0.25f);
    return t;
}

class LoraFileTest : public ::testing::Test {
protected:
    fs::path path = fs::temp_directory_path() / ("sdn-lora-file-" + std::to_string(::getpid()) + ".safetensors");
    void TearDown() override {
        std::error_code ec;
        fs::remove(path, ec);
    }
    sdn::LoraFile write_and_read(const std::vector<sdn::TestTensor>& tensors) {
        sdn::write_safetensors(path.string(), tensors, sdn::DType::F16);
        return sdn::open_lora_file(path.string());
    }
};

const sdn::LoraModule* find(const sdn::LoraFile& f, const std::string& stem) {
    for (const auto& m : f.modules)
        if (m.stem == stem) return &m;
    return nullptr;
}

TEST_F(LoraFileTest, EveryLowRankNamingGroupsUpAndDownUnderItsStem) {
    const auto f = write_and_read({
        tensor("lora_unet_a.lora_up.weight", {4, 2}), tensor("lora_unet_a.lora_down.weight", {2, 3}),
        tensor("lora_unet_a.alpha", {}),
        tensor("unet.b.lora_B.weight", {4, 2}), tensor("unet.b.lora_A.weight", {2, 3}),
        tensor("c_lora.up.weight", {4, 2}), tensor("c_lora.down.weight", {2, 3}),
        tensor("d.lora_B.default.weight", {4, 2}), tensor("d.lora_A.default.weight", {2, 3}),
        tensor("e.lora.up.weight", {4, 2}), tensor("e.lora.down.weight", {2, 3}),
        tensor("f.lora_linear_layer.up.weight", {4, 2}), tensor("f.lora_linear_layer.down.weight", {2, 3}),
        tensor("g.lora_B", {4, 2}), tensor("g.lora_A", {2, 3}),
    });
    ASSERT_EQ(f.modules.size(), 7u);
    EXPECT_TRUE(f.unrecognized.empty());
    for (const char* stem : {"lora_unet_a", "unet.b", "c", "d", "e", "f", "g"}) {
        const auto* m = find(f, stem);
        ASSERT_NE(m, nullptr) << stem;
        EXPECT_EQ(m->kind, sdn::LoraKind::LowRank);
        ASSERT_NE(m->part("up"), nullptr) << stem;
        ASSERT_NE(m->part("down"), nullptr) << stem;
        EXPECT_EQ(m->part("up")->ref.shape, (std::vector<int64_t>{4, 2})) << stem;
        EXPECT_EQ(m->part("down")->ref.shape, (std::vector<int64_t>{2, 3})) << stem;
    }
    ASSERT_NE(find(f, "lora_unet_a")->alpha, nullptr);
    EXPECT_EQ(find(f, "unet.b")->alpha, nullptr);
    EXPECT_EQ(find(f, "lora_unet_a")->names.size(), 3u);
}

TEST_F(LoraFileTest, LoconLohaAndLokrPartsAreRecognised) {
    const auto f = write_and_read({
        tensor("conv.lora_up.weight", {4, 2, 1, 1}), tensor("conv.lora_down.weight", {2, 3, 1, 1}),
        tensor("conv.lora_mid.weight", {2, 2, 3, 3}),
        tensor("h.hada_w1_a", {4, 2}), tensor("h.hada_w1_b", {2, 3}), tensor("h.hada_w2_a", {4, 2}),
        tensor("h.hada_w2_b", {2, 3}), tensor("h.alpha", {}),
        tensor("k.lokr_w1", {2, 2}), tensor("k.lokr_w2_a", {2, 1}), tensor("k.lokr_w2_b", {1, 3}),
    });
    ASSERT_EQ(f.modules.size(), 3u);
    EXPECT_NE(find(f, "conv")->part("mid"), nullptr);
    EXPECT_EQ(find(f, "h")->kind, sdn::LoraKind::LoHa);
    EXPECT_EQ(find(f, "k")->kind, sdn::LoraKind::LoKr);
    EXPECT_NE(find(f, "k")->part("w2_b"), nullptr);
}

TEST_F(LoraFileTest, IncompleteMixedAndUnknownTensorsAreReportedNotUsed) {
    const auto f = write_and_read({
        tensor("ok.lora_up.weight", {4, 2}), tensor("ok.lora_down.weight", {2, 3}),
        tensor("lonely.lora_up.weight", {4, 2}),                       // no down
        tensor("mixed.lora_up.weight", {4, 2}), tensor("mixed.hada_w1_a", {4, 2}),
        tensor("only.alpha", {}),
        tensor("something_else.weight", {3}),
    });
    ASSERT_EQ(f.modules.size(), 1u);
    EXPECT_EQ(f.modules[0].stem, "ok");
    EXPECT_EQ(f.unrecognized, (std::vector<std::string>{"lonely.lora_up.weight", "mixed.hada_w1_a",
                                                         "mixed.lora_up.weight", "only.alpha",
                                                         "something_else.weight"}));
}

TEST_F(LoraFileTest, AFileWithoutAnyModuleIsAFormatErrorNamingIt) {
    try {
        write_and_read({tensor("model.diffusion_model.out.2.weight", {4, 4})});
        FAIL() << "a checkpoint is not a LoRA";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
}

}  // namespace
