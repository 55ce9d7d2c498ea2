// Helpers for the Vulkan backend tests: a device (or the skip/fail decision when there is
// none), device buffers filled from host vectors, and weights stored in any type.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "cpu/kernel_test_util.h"
#include "cpu/reference/reference_ops.h"
#include "quant/row_ops.h"
#include "sdnative.h"
#include "support/float32_variant.h"
#include "support/shared_dir.h"
#include "vulkan/vulkan_ops.h"

namespace sdn_test {

// A C-API context on `backend` (SDN_BACKEND_CPU or SDN_BACKEND_VULKAN, device 0) with float32
// CPU products and 2 threads, so a CPU run is the reference a Vulkan run is compared with.
inline sdn_context* make_float32_context(int32_t backend) {
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.n_threads = 2;
    o.cpu_variant = float32_cpu_variant();
    o.backend = backend;
    o.device_index = 0;
    sdn_context* ctx = nullptr;
    EXPECT_EQ(sdn_context_create(&o, &ctx), SDN_OK);
    return ctx;
}

// A float32 CPU context and a Vulkan one on device 0, freed together.
struct CpuAndVulkanContexts {
    sdn_context* cpu = make_float32_context(SDN_BACKEND_CPU);
    sdn_context* vk = make_float32_context(SDN_BACKEND_VULKAN);
    CpuAndVulkanContexts() = default;
    CpuAndVulkanContexts(const CpuAndVulkanContexts&) = delete;
    CpuAndVulkanContexts& operator=(const CpuAndVulkanContexts&) = delete;
    ~CpuAndVulkanContexts() {
        sdn_context_free(vk);
        sdn_context_free(cpu);
    }
    // Both made, and the Vulkan one really on a Vulkan device.
    bool ok() const { return cpu && vk && std::string(sdn_context_device_name(vk)).rfind("vulkan:0", 0) == 0; }
};

// What make() returns, or null with `why` set when it throws (no Vulkan, no device).
template <class Make>
auto open_or_why(std::string& why, Make make) -> decltype(make()) {
    try {
        return make();
    } catch (const sdn::Error& e) {
        why = e.what();
        return nullptr;
    }
}

inline bool pinned_driver_installed() {
    const char* icd = std::getenv("VK_ICD_FILENAMES");
    return icd && *icd && std::ifstream(icd).good();
}

// Ends the test when `var` could not be opened: a skip with the reason, or a failure under
// CI=true when the lavapipe driver that ctest pins (VK_ICD_FILENAMES) is installed.
#define SDN_SKIP_WITHOUT_VULKAN(var, why)                                                    \
    if (!var) {                                                                              \
        if (::sdn_test::running_in_ci() && ::sdn_test::pinned_driver_installed())            \
            FAIL() << "no Vulkan device although the pinned driver is installed (CI=true): " \
                   << why;                                                                   \
        GTEST_SKIP() << "no Vulkan device: " << why;                                         \
    }

// A Vulkan device for a test (options optional), or the skip/fail above.
#define SDN_REQUIRE_VULKAN_DEVICE(var, ...)                                                  \
    std::string var##_why;                                                                   \
    auto var = ::sdn_test::open_or_why(var##_why, [&] {                                      \
        return std::make_unique<sdn::vk::VulkanDevice>(sdn::vk::DeviceOptions{__VA_ARGS__}); \
    });                                                                                      \
    SDN_SKIP_WITHOUT_VULKAN(var, var##_why)

// A device buffer holding `values`.
inline std::unique_ptr<sdn::vk::VulkanBuffer> device_vector(sdn::vk::VulkanDevice& d,
                                                            const std::vector<float>& values) {
    auto b = std::make_unique<sdn::vk::VulkanBuffer>(d, values.size() * 4, "test tensor");
    b->upload(values.data(), values.size() * 4);
    return b;
}

inline std::vector<float> read_back(const sdn::vk::VulkanBuffer& b, size_t n, uint64_t offset = 0) {
    std::vector<float> out(n);
    b.download(out.data(), n * 4, offset);
    return out;
}

inline sdn::vk::DevPtr at(const std::unique_ptr<sdn::vk::VulkanBuffer>& b) { return {b.get(), 0}; }

// A weight of any stored type holding (approximately) `values`, rows of shape.back() values.
inline OwnedWeight stored_weight(sdn::DType type, std::vector<int64_t> shape,
                                 const std::vector<float>& values) {
    if (type == sdn::DType::F32 || type == sdn::DType::F16 || type == sdn::DType::BF16)
        return make_weight(type, std::move(shape), values);
    return quantized_weight(type, std::move(shape), values);
}

// Every type the Vulkan shaders decode.
inline std::vector<sdn::DType> vulkan_weight_types() {
    using sdn::DType;
    return {DType::F32,  DType::F16,  DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1,
            DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q5_K, DType::Q6_K};
}

// Runs y = x W^T + bias for random x [M, K] and W [N, K] stored as `type` on the device and
// returns the normalized error against the CPU reference; `dispatches` gets how many
// dispatches the op recorded (more than one when it was split).
inline double linear_error(sdn::vk::VulkanDevice& device, sdn::DType type, int64_t M, int64_t K,
                           int64_t N, uint32_t seed, uint32_t* dispatches = nullptr) {
    const auto x = random_vector(M * K, seed);
    const OwnedWeight w = stored_weight(type, {N, K}, random_vector(N * K, seed + 1));
    const OwnedWeight bias = make_weight(sdn::DType::F16, {N}, random_vector(N, seed + 2));
    std::vector<float> want(M * N);
    sdn::ref::linear(x.data(), M, K, w.ref, &bias.ref, want.data());
    auto dx = device_vector(device, x);
    auto dy = device_vector(device, std::vector<float>(M * N, 0.0f));
    const auto dw = sdn::vk::VulkanWeight::upload(device, w.ref, "w");
    const auto db = sdn::vk::VulkanWeight::upload(device, bias.ref, "bias");
    sdn::vk::CommandBatch batch(device);
    sdn::vk::linear(batch, at(dx), M, K, dw, &db, at(dy));
    if (dispatches) *dispatches = batch.recorded_dispatches();
    batch.submit();
    return normalized_error(read_back(*dy, M * N), want);
}

}  // namespace sdn_test
