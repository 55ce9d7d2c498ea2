// What the engine needs to know about one Vulkan physical device: what to show the user
// (name, type, memory, feature support) and the limits the backend must respect.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vulkan/vulkan_functions.h"

namespace sdn::vk {

enum class DeviceType { Other, Integrated, Discrete, Virtual, Cpu };
const char* device_type_name(DeviceType t);

struct DeviceInfo {
    int index = 0;  // position in vkEnumeratePhysicalDevices, the N of "vulkan:N"
    std::string name;
    DeviceType type = DeviceType::Other;
    uint64_t device_local_bytes = 0;  // the largest device-local heap
    bool f16 = false;                 // shaderFloat16
    bool int8 = false;                // shaderInt8
    bool cooperative_matrix = false;  // VK_KHR_cooperative_matrix present
    uint32_t subgroup_size = 0;
    uint64_t max_storage_buffer_range = 0;
    uint64_t min_storage_buffer_offset_alignment = 0;
    uint32_t max_shared_memory_bytes = 0;
    uint32_t max_workgroup_invocations = 0;
    uint64_t max_allocation_bytes = 0;
};

// Properties of one physical device (the loader's instance must be the one that listed it).
DeviceInfo describe_device(const VulkanLoader& loader, VkPhysicalDevice device, int index);

// Every Vulkan device of this machine. Throws Error(SDN_ERR_UNSUPPORTED) when Vulkan itself
// is unavailable (no loader library, no driver).
std::vector<DeviceInfo> list_devices();

}  // namespace sdn::vk
