// torch CPU randn parity: the appendix vectors of the ComfyUI spec (computed with torch),
// torch's exact floats from the torchsde vectors, plus the batch / batch_index rules of
// prepare_noise.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "brownian_tree_vectors.h"
#include "sample/torch_rng.h"

namespace {

struct NoiseVector {
    uint64_t seed;
    std::vector<int64_t> shape;
    std::vector<float> first;
    std::vector<float> last;
    double sum;
};

// "Appendix: noise test vectors" of the compatibility spec (torch 1.13, x86-64).
const std::vector<NoiseVector>& appendix_vectors() {
    static const std::vector<NoiseVector> v = {
        {42, {1, 4, 8, 8},
         {1.9269153f, 1.4872841f, 0.9007172f, -2.1055210f, 0.6784185f, -1.2345449f},
         {0.5655050f, 0.5057917f, 0.2224537f}, 16.1386753},
        {0, {2, 4, 8, 12},
         {-1.1258398f, -1.1523602f, -0.2505786f, -0.4338788f, 0.8487104f, 0.6920092f},
         {1.6552757f, 0.5203718f, -0.2326160f}, 47.8715520},
        {12345, {1, 4, 5, 5},
         {-1.4798077f, 0.4873060f, -3.0127938f, 0.4438552f, 0.3597562f, -0.0123481f},
         {-0.2419025f, -0.8105961f, 1.0837293f}, -6.5233950},
        {4294967338ull, {1, 4, 8, 8},
         {1.9269153f, 1.4872841f, 0.9007172f, -2.1055210f, 0.6784185f, -1.2345449f},
         {0.5655050f, 0.5057917f, 0.2224537f}, 16.1386753},
        {7, {3}, {-0.1467951f, 0.7861413f, 0.9468216f}, {-0.1467951f, 0.7861413f, 0.9468216f},
         1.5861678},
        {7, {20},
         {-0.8201345f, 0.3956312f, 0.8989085f, -1.3884039f, 0.1984451f, 0.7820727f},
         {-0.5640067f, -2.0564625f, -0.3567225f}, -8.3186439},
    };
    return v;
}

TEST(TorchRng, EngineMatchesReferenceMt19937) {
    // The C++ standard fixes the 10000th output of a default-seeded mt19937 (5489).
    sdn::TorchGenerator g(5489);
    uint32_t v = 0;
    for (int i = 0; i < 10000; ++i) v = g.next_u32();
    EXPECT_EQ(v, 4123659995u);
}

TEST(TorchRng, MatchesTorchAppendixVectors) {
    for (const auto& nv : appendix_vectors()) {
        SCOPED_TRACE("seed " + std::to_string(nv.seed));
        sdn::Tensor t = sdn::prepare_noise(nv.shape, nv.seed);
        const int64_t n = t.size();
        for (size_t i = 0; i < nv.first.size(); ++i) EXPECT_NEAR(t.data()[i], nv.first[i], 1e-5);
        for (size_t i = 0; i < nv.last.size(); ++i)
            EXPECT_NEAR(t.data()[n - 3 + static_cast<int64_t>(i)], nv.last[i], 1e-5);
        double sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += t.data()[i];
        EXPECT_NEAR(sum, nv.sum, 1e-4);
    }
}

TEST(TorchRng, OnlyLow32BitsOfSeedMatter) {
    auto a = sdn::TorchGenerator(99).randn(40);
    auto b = sdn::TorchGenerator(99 + (uint64_t(7) << 32)).randn(40);
    EXPECT_EQ(a, b);
}

TEST(TorchRng, BlockPairsElementJWithJPlus8) {
    // Re-derive one 16-block by hand from the engine's raw draws.
    std::mt19937 ref(1234);
    float u[16];
    for (float& x : u) x = static_cast<float>(ref() & 0xffffff) / 16777216.0f;
    auto got = sdn::TorchGenerator(1234).randn(16);
    const double pi = 3.14159265358979323846;
    for (int j = 0; j < 8; ++j) {
        const double r = std::sqrt(-2.0 * std::log(1.0 - u[j]));
        EXPECT_NEAR(got[j], r * std::cos(2 * pi * u[j + 8]), 1e-6);
        EXPECT_NEAR(got[j + 8], r * std::sin(2 * pi * u[j + 8]), 1e-6);
    }
}

TEST(TorchRng, BatchItemZeroEqualsSingleWhenItemIsMultipleOf16) {
    auto batch = sdn::prepare_noise({3, 4, 4, 4}, 5);
    auto single = sdn::prepare_noise({1, 4, 4, 4}, 5);
    for (int64_t i = 0; i < single.size(); ++i) EXPECT_EQ(batch.data()[i], single.data()[i]);
}

TEST(TorchRng, BatchIndexDrawsItemsSequentially) {
    const std::vector<int64_t> item_shape = {1, 4, 3, 3};  // 36 elements: tail rule per item
    sdn::TorchGenerator g(77);
    std::vector<std::vector<float>> draws;
    for (int i = 0; i < 4; ++i) draws.push_back(g.randn(36));
    auto noise = sdn::prepare_noise({3, 4, 3, 3}, 77, {3, 1, 3});
    const int order[3] = {3, 1, 3};
    for (int b = 0; b < 3; ++b)
        for (int k = 0; k < 36; ++k) EXPECT_EQ(noise.data()[b * 36 + k], draws[order[b]][k]);
    // Without batch_index the batch is one draw of 108, which differs from per-item draws
    // once the tail rule applies (36 % 16 != 0).
    auto whole = sdn::prepare_noise({3, 4, 3, 3}, 77);
    EXPECT_NE(whole.data()[40], draws[1][4]);
}

TEST(TorchRng, SmallPathCachesSecondHalfOfPair) {
    sdn::TorchGenerator a(7);
    auto one_call = a.randn(3);
    sdn::TorchGenerator b(7);
    std::vector<float> split;
    for (int i = 0; i < 3; ++i) split.push_back(b.randn(1)[0]);
    EXPECT_EQ(one_call, split);
}

TEST(TorchRng, BlockPathGivesTorchsFloatsBitForBit) {
    // The root of torchsde's tree for seed 42 is torch.randn([1,4,8,8], seed W) * f32(scale),
    // one float32 multiply, so randn * scale must reproduce torch's printed values exactly.
    SDN_REQUIRE_BROWNIAN_VECTORS(vectors);
    const auto& trace = sdn_test::field(vectors, "debug_trace_seed42_query0");
    const uint64_t seed = sdn_test::as_u64(sdn_test::field(trace, "root_generate_state3").array.at(0));
    const float scale = sdn_test::f32_from_hex(sdn_test::field(trace, "root_W_scale_f32"));
    const auto& root = sdn_test::field(trace, "nodes").array.at(0);
    ASSERT_EQ(sdn_test::field(root, "side").string, "root");
    const auto normals = sdn::TorchGenerator(seed).randn(256);
    const auto& want = sdn_test::field(root, "W_first4").array;
    for (size_t k = 0; k < want.size(); ++k) EXPECT_EQ(normals[k] * scale, static_cast<float>(want[k].number)) << k;
}

}  // namespace
