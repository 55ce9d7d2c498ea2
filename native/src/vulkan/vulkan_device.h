// One logical Vulkan device with a compute queue: the object a context's Vulkan backend holds.
// It owns device memory accounting (so running out of memory is a clear error naming what did
// not fit, with a budget tests can shrink) and the pipelines, built once per device.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "vulkan/device_info.h"
#include "vulkan/vulkan_functions.h"

namespace sdn::vk {

class PipelineCache;

struct DeviceOptions {
    int index = 0;  // physical device, as numbered by list_devices()
    // Largest range bound to one shader binding; 0 means the device's maxStorageBufferRange.
    // Smaller values force the buffer-splitting paths (tests).
    uint64_t max_binding_bytes = 0;
    // Device memory this device may use; 0 means the device-local heap size. Smaller values
    // simulate a small GPU (tests).
    uint64_t memory_budget_bytes = 0;
};

// A block of device memory and what it was allocated for.
struct MemoryBlock {
    VkDeviceMemory memory = VK_NULL_HANDLE;
    uint64_t bytes = 0;
    bool host_visible = false;
};

class VulkanDevice {
public:
    // Throws Error(SDN_ERR_UNSUPPORTED) when Vulkan or the device is unavailable and
    // Error(SDN_ERR_INVALID_ARGUMENT) naming the devices there are when index is out of range.
    explicit VulkanDevice(const DeviceOptions& options = {});
    ~VulkanDevice();
    VulkanDevice(const VulkanDevice&) = delete;
    VulkanDevice& operator=(const VulkanDevice&) = delete;

    const VulkanFunctions& fn() const { return loader_->fn(); }
    VkDevice handle() const { return device_; }
    const DeviceInfo& info() const { return info_; }
    uint64_t max_binding_bytes() const { return max_binding_bytes_; }
    uint64_t binding_alignment() const { return info_.min_storage_buffer_offset_alignment; }
    uint64_t memory_budget() const { return budget_bytes_; }
    uint64_t memory_in_use() const;

    // Allocates memory for `requirements`; `what` names the tensor or buffer in the error
    // thrown (SDN_ERR_OUT_OF_MEMORY) when it does not fit the budget or the device.
    MemoryBlock allocate(const VkMemoryRequirements& requirements, bool want_host_visible,
                         const std::string& what);
    void release(MemoryBlock& block);

    // Records `record` into a fresh command buffer, submits it and waits (uploads, downloads
    // and whole recorded batches). Submits are serialized per device.
    void submit_and_wait(VkCommandBuffer cmd);
    VkCommandBuffer allocate_command_buffer();
    void free_command_buffer(VkCommandBuffer cmd);

    PipelineCache& pipelines();

private:
    uint32_t find_memory_type(uint32_t type_bits, bool want_host_visible, bool& host_visible) const;

    std::shared_ptr<VulkanLoader> loader_;
    VkPhysicalDevice physical_ = VK_NULL_HANDLE;
    VkDevice device_ = VK_NULL_HANDLE;
    VkQueue queue_ = VK_NULL_HANDLE;
    uint32_t queue_family_ = 0;
    VkCommandPool command_pool_ = VK_NULL_HANDLE;
    VkFence fence_ = VK_NULL_HANDLE;
    VkPhysicalDeviceMemoryProperties memory_props_{};
    DeviceInfo info_;
    uint64_t max_binding_bytes_ = 0;
    uint64_t budget_bytes_ = 0;
    uint64_t in_use_bytes_ = 0;
    mutable std::mutex memory_mutex_;
    std::mutex queue_mutex_;
    std::mutex pool_mutex_;
    std::once_flag pipelines_once_;
    std::unique_ptr<PipelineCache> pipelines_;
};

// Throws Error(SDN_ERR_INTERNAL or SDN_ERR_OUT_OF_MEMORY) for a failed Vulkan call.
void check_vk(VkResult r, const char* what);

}  // namespace sdn::vk
