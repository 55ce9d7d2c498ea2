// The device layer: listing devices, a device that does not exist, two devices used at once,
// memory budgets, pipelines built once, cancellation between submits.
#include <thread>

#include "cpu/reference/reference_ops.h"
#include "vulkan/device_info.h"
#include "vulkan/pipeline_cache.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

TEST(VulkanDevice, ListsTheDeviceWithItsLimits) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const auto devices = vk::list_devices();
    ASSERT_FALSE(devices.empty());
    const vk::DeviceInfo& d = devices[0];
    std::printf("[ device   ] %s (%s), %llu MiB, subgroup %u, max binding %llu\n", d.name.c_str(),
                vk::device_type_name(d.type), (unsigned long long)(d.device_local_bytes >> 20),
                d.subgroup_size, (unsigned long long)d.max_storage_buffer_range);
    EXPECT_EQ(device->info().name, d.name);
    EXPECT_GT(d.device_local_bytes, 0u);
    EXPECT_GE(d.max_storage_buffer_range, 1u << 27);  // Vulkan's floor; lavapipe has 128 MiB
    EXPECT_GT(d.subgroup_size, 0u);
    EXPECT_GE(d.max_shared_memory_bytes, 16384u);
}

TEST(VulkanDevice, UnknownIndexNamesTheDevicesThereAre) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    vk::DeviceOptions o;
    o.index = 99;
    try {
        vk::VulkanDevice missing(o);
        FAIL() << "vulkan:99 was opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
        EXPECT_NE(std::string(e.what()).find("vulkan:99"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("vulkan:0 (" + device->info().name + ")"),
                  std::string::npos)
            << e.what();
    }
}

TEST(VulkanDevice, TwoDevicesOnOneGpuRunAtOnce) {
    SDN_REQUIRE_VULKAN_DEVICE(first);
    SDN_REQUIRE_VULKAN_DEVICE(second);
    const int64_t M = 9, K = 32, N = 21;
    const OwnedWeight w = make_weight(DType::F16, {N, K}, random_vector(N * K, 40));
    auto run = [&](vk::VulkanDevice& device, uint32_t seed, std::vector<float>& got,
                   std::vector<float>& want) {
        const auto x = random_vector(M * K, seed);
        want.resize(M * N);
        ref::linear(x.data(), M, K, w.ref, nullptr, want.data());
        auto dx = device_vector(device, x);
        auto dy = device_vector(device, std::vector<float>(M * N, 0.0f));
        const auto dw = vk::VulkanWeight::upload(device, w.ref, "w");
        for (int round = 0; round < 5; ++round) {
            vk::CommandBatch batch(device);
            vk::linear(batch, at(dx), M, K, dw, nullptr, at(dy));
            batch.submit();
        }
        got = read_back(*dy, M * N);
    };
    std::vector<float> got1, want1, got2, want2;
    std::thread t1([&] { run(*first, 41, got1, want1); });
    std::thread t2([&] { run(*second, 42, got2, want2); });
    t1.join();
    t2.join();
    EXPECT_LT(normalized_error(got1, want1), 2e-5);
    EXPECT_LT(normalized_error(got2, want2), 2e-5);
}

TEST(VulkanDevice, OutOfBudgetIsAnErrorNamingWhatDidNotFit) {
    vk::DeviceOptions o;
    o.memory_budget_bytes = 1 << 20;  // a simulated 1 MiB GPU
    SDN_REQUIRE_VULKAN_DEVICE(device, o);
    EXPECT_EQ(device->memory_budget(), 1u << 20);
    vk::VulkanBuffer fits(*device, 512 << 10, "latents");
    try {
        vk::VulkanBuffer too_big(*device, 768 << 10, "unet.out.2.weight");
        FAIL() << "allocation over the budget succeeded";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_OUT_OF_MEMORY);
        const std::string what = e.what();
        EXPECT_NE(what.find("unet.out.2.weight"), std::string::npos) << what;
        EXPECT_NE(what.find("out of memory"), std::string::npos) << what;
    }
    // The failed allocation left nothing behind: what is free can still be used.
    EXPECT_EQ(device->memory_in_use(), fits.size() + 0 * 1);
    vk::VulkanBuffer second(*device, 256 << 10, "noise");
    EXPECT_EQ(device->memory_in_use(), fits.size() + second.size());
}

TEST(VulkanDevice, PipelinesAreBuiltOncePerDevice) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    auto dx = device_vector(*device, random_vector(300, 43));
    for (int round = 0; round < 3; ++round) {
        vk::CommandBatch batch(*device);
        vk::activation(batch, at(dx), 300, Activation::Silu);
        vk::activation(batch, at(dx), 300, Activation::QuickGelu);
        batch.submit();
        EXPECT_EQ(device->pipelines().size(), 1u);
    }
}

TEST(VulkanDevice, CancellationStopsTheNextSubmit) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const auto x = random_vector(64, 44);
    auto dx = device_vector(*device, x);
    bool cancelled = false;
    vk::CommandBatch batch(*device);
    batch.set_cancel_check([&] { return cancelled; });
    vk::activation(batch, at(dx), 64, Activation::Silu);
    batch.submit();
    auto once = read_back(*dx, 64);
    cancelled = true;
    vk::activation(batch, at(dx), 64, Activation::Silu);
    try {
        batch.submit();
        FAIL() << "a cancelled batch was submitted";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_CANCELLED);
    }
    EXPECT_EQ(read_back(*dx, 64), once);  // the cancelled work never ran
}
