// Choosing the device through the C API: devices listed by sdn_device_info, a context on
// vulkan:N, automatic choice that never takes a CPU emulation, an index that does not exist.
#include <cstring>

#include "sdnative.h"
#include "vulkan_test_support.h"

using namespace sdn_test;

namespace {
sdn_context* create(int32_t backend, int32_t index, sdn_status& status) {
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.n_threads = 1;
    o.backend = backend;
    o.device_index = index;
    sdn_context* ctx = nullptr;
    status = sdn_context_create(&o, &ctx);
    return ctx;
}
}  // namespace

TEST(DeviceSelection, ListsTheVulkanDevicesAndDefaultsToTheCpu) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    sdn_system_info_t sys;
    ASSERT_EQ(sdn_system_info(&sys), SDN_OK);
    EXPECT_TRUE(sys.backends & SDN_BACKEND_VULKAN);
    ASSERT_GE(sdn_device_count(), 1);
    sdn_device_info_t info;
    ASSERT_EQ(sdn_device_info(0, &info), SDN_OK);
    EXPECT_EQ(info.struct_size, sizeof(info));
    EXPECT_EQ(info.backend, SDN_BACKEND_VULKAN);
    EXPECT_EQ(info.index, 0);
    EXPECT_EQ(std::string(info.name), device->info().name);
    EXPECT_GT(info.memory_bytes, 0);
    std::printf("[ device   ] %s type %d features %u\n", info.name, info.type, info.features);
    EXPECT_EQ(sdn_device_info(sdn_device_count(), &info), SDN_ERR_INVALID_ARGUMENT);

    sdn_context_options_t o;
    sdn_context_options_init(&o);
    EXPECT_EQ(o.backend, SDN_BACKEND_CPU);
    sdn_status status;
    sdn_context* ctx = create(SDN_BACKEND_CPU, 0, status);
    ASSERT_EQ(status, SDN_OK);
    EXPECT_STREQ(sdn_context_device_name(ctx), "cpu");
    sdn_context_free(ctx);
}

TEST(DeviceSelection, NamedIndexUsesThatDeviceWhateverItsType) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    sdn_status status;
    sdn_context* ctx = create(SDN_BACKEND_VULKAN, 0, status);
    ASSERT_EQ(status, SDN_OK);
    EXPECT_EQ(std::string(sdn_context_device_name(ctx)), "vulkan:0 " + device->info().name);
    sdn_context_free(ctx);
}

TEST(DeviceSelection, AutomaticChoiceTakesAGpuButNeverACpuEmulation) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    bool has_gpu = false;
    for (int32_t i = 0; i < sdn_device_count(); ++i) {
        sdn_device_info_t info;
        ASSERT_EQ(sdn_device_info(i, &info), SDN_OK);
        has_gpu |= info.type == SDN_DEVICE_DISCRETE_GPU || info.type == SDN_DEVICE_INTEGRATED_GPU;
    }
    sdn_status status;
    sdn_context* ctx = create(0, 0, status);
    ASSERT_EQ(status, SDN_OK);
    const std::string name = sdn_context_device_name(ctx);
    if (has_gpu)
        EXPECT_EQ(name.rfind("vulkan:", 0), 0u) << name;
    else
        EXPECT_EQ(name, "cpu") << "lavapipe must not be chosen automatically";
    sdn_context_free(ctx);
}

TEST(DeviceSelection, MissingDeviceIsAnInvalidArgument) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    sdn_status status;
    sdn_context* ctx = create(SDN_BACKEND_VULKAN, 57, status);
    EXPECT_EQ(status, SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(ctx, nullptr);
    ctx = create(SDN_BACKEND_CUDA, 0, status);
    EXPECT_EQ(status, SDN_ERR_UNSUPPORTED);
    EXPECT_EQ(ctx, nullptr);
}
