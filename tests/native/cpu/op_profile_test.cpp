// SDN_CPU_PROFILE: off by default (nothing recorded), on when set, and then every backend op
// lands in the table under its op and shape, with the flops the op's shape implies.
#include "cpu/op_profile.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cpu/cpu_backend.h"
#include "support/float32_variant.h"

namespace {

using namespace sdn;

// Sets SDN_CPU_PROFILE for the scope of one test and restores the previous value.
struct ProfileEnv {
    std::string old;
    bool had;
    explicit ProfileEnv(const char* value) {
        const char* prev = std::getenv("SDN_CPU_PROFILE");
        had = prev != nullptr;
        if (had) old = prev;
        if (value)
            setenv("SDN_CPU_PROFILE", value, 1);
        else
            unsetenv("SDN_CPU_PROFILE");
    }
    ~ProfileEnv() {
        if (had)
            setenv("SDN_CPU_PROFILE", old.c_str(), 1);
        else
            unsetenv("SDN_CPU_PROFILE");
    }
};

TEST(OpProfile, OffUnlessTheVariableIsSet) {
    for (const char* value : {static_cast<const char*>(nullptr), "", "0"}) {
        ProfileEnv env(value);
        cpu::OpProfile profile;
        EXPECT_FALSE(profile.enabled());
        bool described = false;
        {
            cpu::OpScope scope(profile, [&] {
                described = true;
                return std::string("x");
            });
        }
        EXPECT_FALSE(described) << "the key is not even built when profiling is off";
        EXPECT_EQ(profile.report(), "");
    }
}

TEST(OpProfile, ReportSumsCallsAndSortsBySeconds) {
    ProfileEnv env("1");
    cpu::OpProfile profile;
    ASSERT_TRUE(profile.enabled());
    profile.record("small", 1.0, 0.0);
    profile.record("big", 2.0, 4e9);
    profile.record("big", 1.0, 2e9);
    const std::string r = profile.report();
    // 4 s in ops; "big" is 3 s (75 %, 6e9 flops / 3 s = 2 GFLOP/s), before "small" (25 %).
    EXPECT_NE(r.find("4.000000 s in ops"), std::string::npos) << r;
    const size_t big = r.find("         2      3.000  75.0%      2.0  big");
    const size_t small = r.find("         1      1.000  25.0%      0.0  small");
    ASSERT_NE(big, std::string::npos) << r;
    ASSERT_NE(small, std::string::npos) << r;
    EXPECT_LT(big, small);
}

TEST(OpProfile, BackendOpsAreRecordedWithTheirShapes) {
    ProfileEnv env("1");
    Context ctx{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    auto& be = static_cast<cpu::CpuBackend&>(ctx.backend());
    // conv2d 3x3, 2 -> 3 channels on 4x5 pixels: 2 * 3*2*3*3 * 20 = 2160 flops.
    std::vector<float> w_values(3 * 2 * 3 * 3, 0.5f), x_values(2 * 4 * 5, 1.0f);
    WeightRef w;
    w.type = DType::F32;
    w.shape = {3, 2, 3, 3};
    w.data = w_values.data();
    w.nbytes = static_cast<int64_t>(w_values.size() * 4);
    DeviceTensor x = be.tensor({1, 2, 4, 5}, "x"), y = be.tensor({1, 3, 4, 5}, "y");
    be.upload(x, x_values.data());
    be.conv2d(x, w, nullptr, 1, 1, y);
    be.conv2d(x, w, nullptr, 1, 1, y);
    be.activation(Activation::Silu, y);
    const std::string r = be.profile().report();
    EXPECT_NE(r.find("         2 "), std::string::npos) << r;
    EXPECT_NE(r.find("conv2d 3x3 f32 2->3 4x5\n"), std::string::npos) << r;
    EXPECT_NE(r.find("         1 "), std::string::npos) << r;
    EXPECT_NE(r.find("activation\n"), std::string::npos) << r;
}

}  // namespace
