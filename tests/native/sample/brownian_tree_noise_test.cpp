// ComfyUI's BrownianTreeNoiseSampler: every torchsde reference vector (seeds 0, 42, 12345,
// 2^64-1; both sampler query patterns; SD1.5 table ends; an int-seeded batch), the sigmas the
// SDE samplers query it at, per-item seeds, and a schedule that spans no tree time.
#include "sample/brownian_tree_noise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "brownian_tree_vectors.h"
#include "sample/samplers/sampler.h"

namespace {

using sdn::BrownianTreeNoise;
using sdn_test::as_u64;
using sdn_test::f32_from_hex;
using sdn_test::field;

// Our randn is torch's x86-64 AVX2 randn bit for bit (torch_rng.h), and the tree does
// torch's float32 operations in torch's order, so the noise must be identical.
std::vector<int64_t> shape_of(const sdn::json::Value& list) {
    std::vector<int64_t> s;
    for (const auto& d : list.array) s.push_back(d.integer);
    return s;
}

uint32_t bits(float f) {
    uint32_t b;
    std::memcpy(&b, &f, sizeof b);
    return b;
}

TEST(BrownianTreeNoise, MatchesTorchsdeOnEveryReferenceQuery) {
    SDN_REQUIRE_BROWNIAN_VECTORS(vectors);
    const auto& cases = field(vectors, "cases").array;
    ASSERT_EQ(cases.size(), 10u);
    int queries = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(field(c, "name").string);
        const std::vector<int64_t> shape = shape_of(field(c, "shape"));
        BrownianTreeNoise noise(as_u64(field(c, "seed")), f32_from_hex(field(c, "tree_t0_f32")),
                                f32_from_hex(field(c, "tree_t1_f32")), shape);
        for (const auto& q : field(c, "queries").array) {
            SCOPED_TRACE("step " + std::to_string(field(q, "step").integer) + " " + field(q, "kind").string);
            const float sigma = f32_from_hex(field(q, "sigma_f32"));
            const float sigma_next = f32_from_hex(field(q, "sigma_next_f32"));
            EXPECT_EQ(bits(std::sqrt(std::fabs(sigma_next - sigma))),
                      static_cast<uint32_t>(std::strtoul(field(q, "divisor_f32").string.c_str(), nullptr, 16)));
            sdn::Tensor out(shape);
            noise(sigma, sigma_next, out);
            const auto& want = field(field(q, "noise"), "values").array;
            ASSERT_EQ(static_cast<int64_t>(want.size()), out.size());
            int64_t differing = 0;
            double worst = 0;
            for (size_t k = 0; k < want.size(); ++k) {
                // 9 significant digits print a float exactly; torch's value is that float.
                const float torch_value = static_cast<float>(want[k].number);
                if (out.data()[k] != torch_value) ++differing;
                worst = std::max(worst, std::fabs(static_cast<double>(out.data()[k]) - torch_value));
            }
            EXPECT_EQ(differing, 0) << "elements that differ from torchsde; largest difference " << worst;
            ++queries;
        }
    }
    EXPECT_EQ(queries, 70);  // 4 seeds x (5 + 10), SD1.5 table ends 5, batch 5
}

// The samplers must ask for exactly the float32 sigmas ComfyUI's do (the tree rounds times to
// 1e-6, so a nearby double would move the noise by ~1e-3): dpmpp_sde's sub-step sigma comes
// from float32 log/exp of the half-log-SNRs.
TEST(BrownianTreeNoise, SdeSamplersQueryComfyUIsSigmasInComfyUIsOrder) {
    SDN_REQUIRE_BROWNIAN_VECTORS(vectors);
    std::vector<double> sigmas;
    for (const auto& v : field(field(vectors, "karras_sigmas"), "values_f32").array)
        sigmas.push_back(f32_from_hex(v));
    for (const auto& c : field(vectors, "cases").array) {
        if (as_u64(field(c, "seed")) != 42 || shape_of(field(c, "shape"))[0] != 1) continue;
        if (field(c, "name").string.find("sd15") != std::string::npos) continue;
        for (const auto& name_value : field(c, "samplers").array) {
            const std::string name = name_value.string;
            SCOPED_TRACE(name);
            const sdn::SamplerInfo* info = sdn::find_sampler(name);
            ASSERT_NE(info, nullptr);
            EXPECT_EQ(info->noise, sdn::SamplerNoise::kBrownian);
            std::vector<std::pair<uint32_t, uint32_t>> asked;
            sdn::SamplerRun run;
            run.denoise = [](const sdn::Tensor& x, double, sdn::Tensor& out) {
                out.reset(x.shape());
                for (int64_t k = 0; k < x.size(); ++k) out.data()[k] = 0.5f * x.data()[k];
            };
            run.noise = [&](double s, double s_next, sdn::Tensor& out) {
                asked.emplace_back(bits(static_cast<float>(s)), bits(static_cast<float>(s_next)));
                EXPECT_EQ(static_cast<double>(static_cast<float>(s)), s) << "sigma is not a float32 value";
                EXPECT_EQ(static_cast<double>(static_cast<float>(s_next)), s_next) << "sigma is not a float32 value";
                std::fill(out.data(), out.data() + out.size(), 0.0f);
            };
            sdn::Tensor x({1, 4, 8, 8});
            info->run(run, x, sigmas);
            const auto& queries = field(c, "queries").array;
            ASSERT_EQ(asked.size(), queries.size());
            for (size_t i = 0; i < queries.size(); ++i) {
                SCOPED_TRACE("query " + std::to_string(i));
                EXPECT_EQ(asked[i].first, bits(f32_from_hex(field(queries[i], "sigma_f32"))));
                EXPECT_EQ(asked[i].second, bits(f32_from_hex(field(queries[i], "sigma_next_f32"))));
            }
        }
    }
}

TEST(BrownianTreeNoise, ASeedListGivesEachBatchItemTheTreeOfItsOwnSeed) {
    const std::vector<int64_t> item = {1, 4, 4, 4};
    BrownianTreeNoise batch(std::vector<uint64_t>{5, 9}, 0.03f, 14.6f, {2, 4, 4, 4});
    BrownianTreeNoise five(5, 0.03f, 14.6f, item), nine(9, 0.03f, 14.6f, item);
    sdn::Tensor both({2, 4, 4, 4}), a(item), b(item);
    batch(6.0, 2.0, both);
    five(6.0, 2.0, a);
    nine(6.0, 2.0, b);
    for (int64_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(both.data()[k], a.data()[k]);
        EXPECT_EQ(both.data()[a.size() + k], b.data()[k]);
    }
    EXPECT_NE(a.data()[0], b.data()[0]);
    EXPECT_THROW(BrownianTreeNoise(std::vector<uint64_t>{5}, 0.03f, 14.6f, {2, 4, 4, 4}), sdn::Error);
}

TEST(BrownianTreeNoise, IsTheNegatedIncrementOverTheRootScaledToUnitVariance) {
    // Hand check of the wrapper on a one-node query: noise(max, min) = -W(min, max) / sqrt(max - min).
    sdn::BrownianTree tree(3, 0.5f, 2.0f, {1, 1, 4, 4});
    BrownianTreeNoise noise(3, 0.5f, 2.0f, {1, 1, 4, 4});
    const sdn::Tensor w = tree.increment(0.5, 2.0);
    sdn::Tensor down({1, 1, 4, 4}), up({1, 1, 4, 4});
    noise(2.0, 0.5, down);
    noise(0.5, 2.0, up);
    const float divisor = std::sqrt(1.5f);
    for (int64_t k = 0; k < w.size(); ++k) {
        EXPECT_EQ(down.data()[k], -w.data()[k] / divisor);
        EXPECT_EQ(up.data()[k], w.data()[k] / divisor);
    }
}

TEST(BrownianTreeNoise, AScheduleWithOneNonZeroSigmaHasNoNoise) {
    BrownianTreeNoise noise(1, 14.6f, 14.6f, {1, 4, 4, 4});
    sdn::Tensor out({1, 4, 4, 4});
    std::fill(out.data(), out.data() + out.size(), 1.0f);
    noise(14.6, 7.0, out);
    for (int64_t k = 0; k < out.size(); ++k) EXPECT_EQ(out.data()[k], 0.0f);
    EXPECT_THROW(BrownianTreeNoise(1, 2.0f, 1.0f, {1, 4, 4, 4}), sdn::Error);
}

}  // namespace
