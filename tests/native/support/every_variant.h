// Kernel tests that run once per cpu variant: one test instance per variant the engine has,
// whether or not this machine runs it. A variant the CPU (or the OS) lacks is reported as
// skipped, with the reason, so the summary shows what went untested instead of dropping it.
//
//   class ConvVariants : public sdn_test::EveryVariant {};
//   TEST_P(ConvVariants, MatchesReference) { auto ctx = variant_context(variant()); ... }
//   SDN_INSTANTIATE_FOR_VARIANTS(ConvVariants, sdn_test::kAllVariants);
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "core/cpu_features.h"

namespace sdn_test {

inline constexpr sdn_cpu_variant kAllVariants[] = {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2,
                                                   SDN_CPU_VARIANT_AVX512, SDN_CPU_VARIANT_AVX512_AMX,
                                                   SDN_CPU_VARIANT_AVX512_BF16};

class EveryVariant : public ::testing::TestWithParam<sdn_cpu_variant> {
protected:
    void SetUp() override {
        if (!sdn::cpu_variant_supported(GetParam()))
            GTEST_SKIP() << "this CPU or OS lacks the " << sdn::cpu_variant_name(GetParam()) << " variant";
    }
    sdn_cpu_variant variant() const { return GetParam(); }
};

// Test names carry the variant's name ("avx512-amx" becomes "avx512_amx").
inline std::string variant_test_name(const ::testing::TestParamInfo<sdn_cpu_variant>& info) {
    std::string name = sdn::cpu_variant_name(info.param);
    for (char& c : name)
        if (c == '-') c = '_';
    return name;
}

}  // namespace sdn_test

#define SDN_INSTANTIATE_FOR_VARIANTS(suite, variants) \
    INSTANTIATE_TEST_SUITE_P(Cpu, suite, ::testing::ValuesIn(variants), ::sdn_test::variant_test_name)
