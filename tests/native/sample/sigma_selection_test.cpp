// Sigma selection: denoise, discard-penultimate samplers, KSamplerAdvanced step ranges (§2.6).
#include <gtest/gtest.h>

#include <vector>

#include "sample/schedulers.h"
#include "sample/sigma_selection.h"

namespace {

const sdn::DiscreteSchedule& S() { return sdn::DiscreteSchedule::sd15(); }

TEST(SigmaSelection, DenoiseHalfOfTwentyNormalSteps) {
    auto s = sdn::sigmas_for_denoise("euler", "normal", S(), 20, 0.5);
    auto full40 = sdn::scheduler_sigmas("normal", S(), 40);
    ASSERT_EQ(s.size(), 21u);
    EXPECT_NEAR(s[0], 1.548160, 1e-5);
    for (size_t i = 0; i < 21; ++i) EXPECT_EQ(s[i], full40[20 + i]);
}

TEST(SigmaSelection, DenoiseTruncatesStepCount) {
    // int(10 / 0.3) = 33 -> the last 11 of a 33-step table.
    auto s = sdn::sigmas_for_denoise("euler", "karras", S(), 10, 0.3);
    auto full = sdn::scheduler_sigmas("karras", S(), 33);
    ASSERT_EQ(s.size(), 11u);
    EXPECT_EQ(s[0], full[23]);
}

TEST(SigmaSelection, DenoiseZeroIsEmptyAndNearOneIsFull) {
    EXPECT_TRUE(sdn::sigmas_for_denoise("euler", "normal", S(), 20, 0.0).empty());
    EXPECT_EQ(sdn::sigmas_for_denoise("euler", "normal", S(), 20, 0.99995),
              sdn::scheduler_sigmas("normal", S(), 20));
}

TEST(SigmaSelection, DiscardPenultimateSamplers) {
    for (const char* name : {"dpm_2", "dpm_2_ancestral", "uni_pc", "uni_pc_bh2"}) {
        auto s = sdn::calculate_sigmas(name, "karras", S(), 10);
        auto k11 = sdn::scheduler_sigmas("karras", S(), 11);
        ASSERT_EQ(s.size(), 11u) << name;
        for (int i = 0; i < 10; ++i) EXPECT_EQ(s[i], k11[i]);
        EXPECT_EQ(s[10], 0.0);
    }
    EXPECT_EQ(sdn::calculate_sigmas("euler", "karras", S(), 10), sdn::scheduler_sigmas("karras", S(), 10));
}

TEST(SigmaSelection, AdvancedEndWithForceFullDenoise) {
    auto base = sdn::scheduler_sigmas("normal", S(), 20);
    auto s = base;
    ASSERT_TRUE(sdn::apply_step_range(s, 0, 12, true));
    ASSERT_EQ(s.size(), 13u);
    EXPECT_EQ(s[11], base[11]);
    EXPECT_EQ(s[12], 0.0);
    s = base;
    ASSERT_TRUE(sdn::apply_step_range(s, 0, 12, false));
    EXPECT_EQ(s[12], base[12]);
}

TEST(SigmaSelection, AdvancedStartSkipsSteps) {
    auto base = sdn::scheduler_sigmas("normal", S(), 20);
    auto s = base;
    ASSERT_TRUE(sdn::apply_step_range(s, 12, 10000, true));
    ASSERT_EQ(s.size(), 9u);
    EXPECT_EQ(s[0], base[12]);
    EXPECT_EQ(s.back(), 0.0);
}

TEST(SigmaSelection, AdvancedRangeWithNothingLeftReturnsInput) {
    auto s = sdn::scheduler_sigmas("normal", S(), 20);
    EXPECT_FALSE(sdn::apply_step_range(s, 20, 10000, true));
    s = sdn::scheduler_sigmas("normal", S(), 20);
    EXPECT_FALSE(sdn::apply_step_range(s, 5, 5, true));  // end 5 -> 6 sigmas; start 5 == steps
    std::vector<double> empty;
    EXPECT_FALSE(sdn::apply_step_range(empty, 0, 10000, true));
}

}  // namespace
