// LoRA module differences against values worked out by hand from ComfyUI's formulas (comfy/
// weight_adapter/{lora,loha,lokr}.py): up·down scaled by alpha/rank, LoCon's lora_mid, LoHa's
// Hadamard product, LoKr's Kronecker product, and the errors for shapes that do not fit.
#include <gtest/gtest.h>

#include <list>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/error.h"
#include "model/lora_delta.h"

namespace {

using sdn::LoraKind;
using sdn::LoraModule;
using sdn::TensorEntry;

// f32 tensors that stay put while a module points at them.
class Tensors {
public:
    const TensorEntry* add(std::vector<int64_t> shape, std::vector<float> values) {
        values_.push_back(std::move(values));
        TensorEntry e;
        e.name = "t" + std::to_string(entries_.size());
        e.ref.type = sdn::DType::F32;
        e.ref.shape = std::move(shape);
        e.ref.data = values_.back().data();
        e.ref.nbytes = static_cast<int64_t>(values_.back().size() * 4);
        entries_.push_back(e);
        return &entries_.back();
    }

private:
    std::list<std::vector<float>> values_;
    std::list<TensorEntry> entries_;
};

class LoraDelta : public ::testing::Test {
protected:
    sdn::Context ctx{2, SDN_CPU_VARIANT_SCALAR};
    Tensors t;

    LoraModule module(LoraKind kind, std::vector<std::pair<std::string, const TensorEntry*>> parts,
                      const TensorEntry* alpha = nullptr) {
        LoraModule m;
        m.stem = "lora_unet_test_module";
        m.kind = kind;
        for (auto& [role, e] : parts) m.parts[role] = e;
        m.alpha = alpha;
        return m;
    }
};

void expect_values(const std::vector<float>& got, const std::vector<float>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_FLOAT_EQ(got[i], want[i]) << "element " << i;
}

TEST_F(LoraDelta, RankOneIsScaledByAlphaOverRank) {
    // up [2,1] = (1, 2), down [1,3] = (1, 0, -1), alpha 0.5, rank 1: 0.5 * outer product.
    const auto m = module(LoraKind::LowRank, {{"up", t.add({2, 1}, {1, 2})}, {"down", t.add({1, 3}, {1, 0, -1})}},
                          t.add({}, {0.5f}));
    expect_values(sdn::lora_module_delta(ctx, m, 2, 3), {0.5f, 0, -0.5f, 1, 0, -1});
}

TEST_F(LoraDelta, RankTwoProductAndAlphaAboveRank) {
    // [[1,2],[3,4]]·[[5,6],[7,8]] = [[19,22],[43,50]]; alpha 4 / rank 2 = 2.
    const auto m = module(LoraKind::LowRank,
                          {{"up", t.add({2, 2}, {1, 2, 3, 4})}, {"down", t.add({2, 2}, {5, 6, 7, 8})}},
                          t.add({}, {4}));
    expect_values(sdn::lora_module_delta(ctx, m, 2, 2), {38, 44, 86, 100});
}

TEST_F(LoraDelta, NoAlphaMeansScaleOne) {
    const auto m = module(LoraKind::LowRank, {{"up", t.add({2, 2}, {1, 2, 3, 4})}, {"down", t.add({2, 2}, {5, 6, 7, 8})}});
    expect_values(sdn::lora_module_delta(ctx, m, 2, 2), {19, 22, 43, 50});
}

TEST_F(LoraDelta, ConvFactorsFlattenToTheKernelLayout) {
    // A 3-tap kernel: down [1, 1, 1, 3] = (1, 2, 3), up [2, 1, 1, 1] = (1, -1): the weight
    // [2, 1, 1, 3] is up·down row by row.
    const auto m = module(LoraKind::LowRank, {{"up", t.add({2, 1, 1, 1}, {1, -1})}, {"down", t.add({1, 1, 1, 3}, {1, 2, 3})}});
    expect_values(sdn::lora_module_delta(ctx, m, 2, 3), {1, 2, 3, -1, -2, -3});
}

TEST_F(LoraDelta, LoconMidExpandsTheDownProjectionPerTap) {
    // down [1, 2, 1, 1] = (1, 2), mid [1, 1, 1, 2] = (3, 4), up [1, 1, 1, 1] = 2:
    // down'[c, tap] = mid[tap] * down[c] = (3, 4, 6, 8); times up = (6, 8, 12, 16).
    const auto m = module(LoraKind::LowRank, {{"up", t.add({1, 1, 1, 1}, {2})},
                                              {"down", t.add({1, 2, 1, 1}, {1, 2})},
                                              {"mid", t.add({1, 1, 1, 2}, {3, 4})}});
    expect_values(sdn::lora_module_delta(ctx, m, 1, 4), {6, 8, 12, 16});
}

TEST_F(LoraDelta, LohaIsTheHadamardProductOfTwoLowRankPairs) {
    // (1,2)ᵀ(3,4) = [[3,4],[6,8]]; (1,-1)ᵀ(2,0.5) = [[2,0.5],[-2,-0.5]]; product
    // [[6,2],[-12,-4]]; alpha 2 / rank 1 doubles it.
    const auto m = module(LoraKind::LoHa, {{"w1_a", t.add({2, 1}, {1, 2})}, {"w1_b", t.add({1, 2}, {3, 4})},
                                           {"w2_a", t.add({2, 1}, {1, -1})}, {"w2_b", t.add({1, 2}, {2, 0.5f})}},
                          t.add({}, {2}));
    expect_values(sdn::lora_module_delta(ctx, m, 2, 2), {12, 4, -24, -8});
}

TEST_F(LoraDelta, LokrIsTheKroneckerProductScaledByTheFactoredRank) {
    // w1 = [[1,2],[3,4]]; w2 = (2)·(1,-1) = [[2,-2]], factored with dim 1; alpha 3.
    // kron = [[2,-2,4,-4],[6,-6,8,-8]], times 3.
    const auto m = module(LoraKind::LoKr, {{"w1", t.add({2, 2}, {1, 2, 3, 4})},
                                           {"w2_a", t.add({1, 1}, {2})}, {"w2_b", t.add({1, 2}, {1, -1})}},
                          t.add({}, {3}));
    expect_values(sdn::lora_module_delta(ctx, m, 2, 4), {6, -6, 12, -12, 18, -18, 24, -24});
}

TEST_F(LoraDelta, LokrWithBothFactorsWholeIgnoresAlpha) {
    // No factored side, no rank: ComfyUI's scale stays 1 whatever alpha says.
    const auto m = module(LoraKind::LoKr, {{"w1", t.add({1, 1}, {2})}, {"w2", t.add({2, 2}, {1, 2, 3, 4})}},
                          t.add({}, {7}));
    expect_values(sdn::lora_module_delta(ctx, m, 2, 2), {2, 4, 6, 8});
}

TEST_F(LoraDelta, LokrConvKernelKeepsTapsInnermost) {
    // w1 [1, 2] = (1, 10); w2 [1, 1, 1, 2] = (1, 2): columns are (in, tap) = 1·(1,2), 10·(1,2).
    const auto m = module(LoraKind::LoKr, {{"w1", t.add({1, 2}, {1, 10})}, {"w2", t.add({1, 1, 1, 2}, {1, 2})}});
    expect_values(sdn::lora_module_delta(ctx, m, 1, 4), {1, 2, 10, 20});
}

TEST_F(LoraDelta, ShapeMisfitNamesTheModule) {
    const auto m = module(LoraKind::LowRank, {{"up", t.add({2, 1}, {1, 2})}, {"down", t.add({1, 3}, {1, 0, -1})}});
    try {
        sdn::lora_module_delta(ctx, m, 3, 2);
        FAIL() << "a [2, 3] difference must not fit a [3, 2] weight";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
        EXPECT_NE(std::string(e.what()).find("lora_unet_test_module"), std::string::npos) << e.what();
    }
}

TEST_F(LoraDelta, RanksThatDoNotMatchAreAFormatError) {
    const auto m = module(LoraKind::LowRank, {{"up", t.add({2, 2}, {1, 2, 3, 4})}, {"down", t.add({1, 3}, {1, 0, -1})}});
    try {
        sdn::lora_module_delta(ctx, m, 2, 3);
        FAIL() << "up [2, 2] and down [1, 3] do not multiply";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_FORMAT);
    }
}

TEST_F(LoraDelta, TuckerLohaIsUnsupportedNotWrong) {
    const auto m = module(LoraKind::LoHa, {{"w1_a", t.add({2, 1}, {1, 2})}, {"w1_b", t.add({1, 2}, {3, 4})},
                                           {"w2_a", t.add({2, 1}, {1, -1})}, {"w2_b", t.add({1, 2}, {2, 0.5f})},
                                           {"t1", t.add({1, 1, 1, 1}, {1})}});
    try {
        sdn::lora_module_delta(ctx, m, 2, 2);
        FAIL() << "hada_t1 is not implemented and must say so";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
    }
}

TEST_F(LoraDelta, DoraIsUnsupportedNotAppliedAsPlainLora) {
    const auto m = module(LoraKind::LowRank, {{"up", t.add({2, 1}, {1, 2})}, {"down", t.add({1, 3}, {1, 0, -1})},
                                              {"dora_scale", t.add({1, 3}, {1, 1, 1})}});
    try {
        sdn::lora_module_delta(ctx, m, 2, 3);
        FAIL() << "DoRA is not a plain difference and must say so";
    } catch (const sdn::Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
        EXPECT_NE(std::string(e.what()).find("DoRA"), std::string::npos);
    }
}

}  // namespace
