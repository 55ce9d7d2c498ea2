// The Vulkan entry points the backend uses, loaded at run time. libsdnative never links
// libvulkan: the loader library is dlopen'ed on first use (SDN_VULKAN_LIBRARY overrides its
// name, which is how tests simulate a machine without Vulkan), so the CPU engine still loads
// and runs where Vulkan is absent.
#pragma once

#ifndef VK_NO_PROTOTYPES
#define VK_NO_PROTOTYPES
#endif
#include <vulkan/vulkan.h>

#include <memory>
#include <string>

namespace sdn::vk {

// Every instance- and device-level function the backend calls (loaded through
// vkGetInstanceProcAddr, which serves both).
// clang-format off
#define SDN_VK_FUNCTIONS(X) \
    X(vkDestroyInstance) \
    X(vkEnumeratePhysicalDevices) \
    X(vkGetPhysicalDeviceProperties) \
    X(vkGetPhysicalDeviceProperties2) \
    X(vkGetPhysicalDeviceFeatures2) \
    X(vkGetPhysicalDeviceMemoryProperties) \
    X(vkGetPhysicalDeviceQueueFamilyProperties) \
    X(vkEnumerateDeviceExtensionProperties) \
    X(vkCreateDevice) \
    X(vkDestroyDevice) \
    X(vkGetDeviceQueue) \
    X(vkCreateBuffer) \
    X(vkDestroyBuffer) \
    X(vkGetBufferMemoryRequirements) \
    X(vkAllocateMemory) \
    X(vkFreeMemory) \
    X(vkBindBufferMemory) \
    X(vkMapMemory) \
    X(vkUnmapMemory) \
    X(vkCreateShaderModule) \
    X(vkDestroyShaderModule) \
    X(vkCreateDescriptorSetLayout) \
    X(vkDestroyDescriptorSetLayout) \
    X(vkCreatePipelineLayout) \
    X(vkDestroyPipelineLayout) \
    X(vkCreateComputePipelines) \
    X(vkDestroyPipeline) \
    X(vkCreateDescriptorPool) \
    X(vkDestroyDescriptorPool) \
    X(vkResetDescriptorPool) \
    X(vkAllocateDescriptorSets) \
    X(vkUpdateDescriptorSets) \
    X(vkCreateCommandPool) \
    X(vkDestroyCommandPool) \
    X(vkAllocateCommandBuffers) \
    X(vkFreeCommandBuffers) \
    X(vkBeginCommandBuffer) \
    X(vkEndCommandBuffer) \
    X(vkResetCommandBuffer) \
    X(vkCmdBindPipeline) \
    X(vkCmdBindDescriptorSets) \
    X(vkCmdPushConstants) \
    X(vkCmdDispatch) \
    X(vkCmdPipelineBarrier) \
    X(vkCmdCopyBuffer) \
    X(vkCreateFence) \
    X(vkDestroyFence) \
    X(vkWaitForFences) \
    X(vkResetFences) \
    X(vkQueueSubmit) \
    X(vkDeviceWaitIdle)
// clang-format on

struct VulkanFunctions {
#define SDN_VK_DECLARE(name) PFN_##name name = nullptr;
    SDN_VK_FUNCTIONS(SDN_VK_DECLARE)
#undef SDN_VK_DECLARE
};

// The dlopen'ed loader library and the instance that every device of this process shares.
class VulkanLoader {
public:
    // The loader library name: $SDN_VULKAN_LIBRARY, else "libvulkan.so.1".
    static std::string library_name();
    // Opens the loader and creates a Vulkan 1.2 instance. Throws Error(SDN_ERR_UNSUPPORTED)
    // naming the library and the reason when Vulkan is not usable here.
    static std::shared_ptr<VulkanLoader> open();

    ~VulkanLoader();
    VulkanLoader(const VulkanLoader&) = delete;
    VulkanLoader& operator=(const VulkanLoader&) = delete;

    VkInstance instance() const { return instance_; }
    const VulkanFunctions& fn() const { return fn_; }

private:
    VulkanLoader() = default;
    void* library_ = nullptr;
    VkInstance instance_ = VK_NULL_HANDLE;
    VulkanFunctions fn_;
};

// Names a VkResult for error messages ("VK_ERROR_OUT_OF_DEVICE_MEMORY").
const char* vk_result_name(VkResult r);

}  // namespace sdn::vk
