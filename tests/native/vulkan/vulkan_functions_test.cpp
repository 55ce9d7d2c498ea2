// Without a Vulkan loader library the backend reports why, and the engine still runs on the
// CPU: SDN_VULKAN_LIBRARY points the loader at a path that does not exist.
#include <cstdlib>

#include "core/context.h"
#include "cpu/ops.h"
#include "cpu/reference/reference_ops.h"
#include "vulkan/device_info.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

namespace {
struct ScopedEnv {
    explicit ScopedEnv(const char* value) { setenv("SDN_VULKAN_LIBRARY", value, 1); }
    ~ScopedEnv() { unsetenv("SDN_VULKAN_LIBRARY"); }
};
}  // namespace

TEST(VulkanLoader, MissingLibraryIsAnUnsupportedErrorAndTheCpuStillRuns) {
    const std::string missing = "/nonexistent/sdnative-test/libvulkan.so.1";
    ScopedEnv env(missing.c_str());
    EXPECT_EQ(vk::VulkanLoader::library_name(), missing);
    try {
        vk::list_devices();
        FAIL() << "Vulkan opened from a missing library";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
        EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
    }
    try {
        vk::VulkanDevice device;
        FAIL() << "a Vulkan device opened from a missing library";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
    }
    // The CPU backend is unaffected.
    auto ctx_owner = variant_context(SDN_CPU_VARIANT_SCALAR, 1);
    Context& ctx = *ctx_owner;
    const int64_t M = 2, K = 8, N = 3;
    const auto x = random_vector(M * K, 50);
    const OwnedWeight w = make_weight(DType::F32, {N, K}, random_vector(N * K, 51));
    std::vector<float> got(M * N), want(M * N);
    ops::linear(ctx, x.data(), M, K, w.ref, nullptr, got.data());
    ref::linear(x.data(), M, K, w.ref, nullptr, want.data());
    EXPECT_LT(normalized_error(got, want), 1e-5);
}
