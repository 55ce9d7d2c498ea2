#include "vulkan/device_info.h"

#include <cstring>

#include "core/error.h"

namespace sdn::vk {

const char* device_type_name(DeviceType t) {
    switch (t) {
        case DeviceType::Integrated:
            return "integrated";
        case DeviceType::Discrete:
            return "discrete";
        case DeviceType::Virtual:
            return "virtual";
        case DeviceType::Cpu:
            return "cpu";
        default:
            return "other";
    }
}

namespace {

DeviceType to_device_type(VkPhysicalDeviceType t) {
    switch (t) {
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            return DeviceType::Integrated;
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            return DeviceType::Discrete;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            return DeviceType::Virtual;
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            return DeviceType::Cpu;
        default:
            return DeviceType::Other;
    }
}

bool has_extension(const VulkanFunctions& vk, VkPhysicalDevice device, const char* name) {
    uint32_t count = 0;
    vk.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, nullptr);
    std::vector<VkExtensionProperties> extensions(count);
    vk.vkEnumerateDeviceExtensionProperties(device, nullptr, &count, extensions.data());
    for (const auto& e : extensions)
        if (std::strcmp(e.extensionName, name) == 0) return true;
    return false;
}

}  // namespace

DeviceInfo describe_device(const VulkanLoader& loader, VkPhysicalDevice device, int index) {
    const VulkanFunctions& vk = loader.fn();
    VkPhysicalDeviceSubgroupProperties subgroup{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
    VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props.pNext = &subgroup;
    vk.vkGetPhysicalDeviceProperties2(device, &props);
    VkPhysicalDeviceVulkan12Features features12{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
    features.pNext = &features12;
    vk.vkGetPhysicalDeviceFeatures2(device, &features);
    VkPhysicalDeviceMemoryProperties memory{};
    vk.vkGetPhysicalDeviceMemoryProperties(device, &memory);

    DeviceInfo info;
    info.index = index;
    info.name = props.properties.deviceName;
    info.type = to_device_type(props.properties.deviceType);
    for (uint32_t h = 0; h < memory.memoryHeapCount; ++h)
        if (memory.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            info.device_local_bytes =
                std::max<uint64_t>(info.device_local_bytes, memory.memoryHeaps[h].size);
    info.f16 = features12.shaderFloat16 == VK_TRUE;
    info.int8 = features12.shaderInt8 == VK_TRUE;
    info.cooperative_matrix = has_extension(vk, device, "VK_KHR_cooperative_matrix");
    info.subgroup_size = subgroup.subgroupSize;
    const VkPhysicalDeviceLimits& limits = props.properties.limits;
    info.max_storage_buffer_range = limits.maxStorageBufferRange;
    info.min_storage_buffer_offset_alignment = limits.minStorageBufferOffsetAlignment;
    info.max_shared_memory_bytes = limits.maxComputeSharedMemorySize;
    info.max_workgroup_invocations = limits.maxComputeWorkGroupInvocations;
    // Vulkan 1.1's maxMemoryAllocationSize; 1 GiB is the portable floor when not queried.
    info.max_allocation_bytes = uint64_t(1) << 30;
    VkPhysicalDeviceMaintenance3Properties m3{
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES};
    VkPhysicalDeviceProperties2 props_m3{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
    props_m3.pNext = &m3;
    vk.vkGetPhysicalDeviceProperties2(device, &props_m3);
    if (m3.maxMemoryAllocationSize) info.max_allocation_bytes = m3.maxMemoryAllocationSize;
    return info;
}

std::vector<DeviceInfo> list_devices() {
    auto loader = VulkanLoader::open();
    const VulkanFunctions& vk = loader->fn();
    uint32_t count = 0;
    vk.vkEnumeratePhysicalDevices(loader->instance(), &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    if (count) vk.vkEnumeratePhysicalDevices(loader->instance(), &count, devices.data());
    std::vector<DeviceInfo> infos;
    for (uint32_t i = 0; i < count; ++i)
        infos.push_back(describe_device(*loader, devices[i], static_cast<int>(i)));
    return infos;
}

}  // namespace sdn::vk
