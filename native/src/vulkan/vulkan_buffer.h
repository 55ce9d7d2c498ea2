// A storage buffer in device memory. Uploads and downloads map the memory when the device
// lets the host see it and go through a temporary staging buffer when it does not (discrete
// GPUs without resizable BAR), so callers never care which.
#pragma once

#include <cstdint>
#include <string>

#include "vulkan/vulkan_device.h"

namespace sdn::vk {

class VulkanBuffer {
public:
    // `what` names the buffer in out-of-memory errors ("unet.conv_in.weight", "activations").
    VulkanBuffer(VulkanDevice& device, uint64_t bytes, const std::string& what,
                 bool host_visible = false);
    ~VulkanBuffer();
    VulkanBuffer(const VulkanBuffer&) = delete;
    VulkanBuffer& operator=(const VulkanBuffer&) = delete;

    void upload(const void* src, uint64_t bytes, uint64_t offset = 0);
    void download(void* dst, uint64_t bytes, uint64_t offset = 0) const;

    VkBuffer handle() const { return buffer_; }
    uint64_t size() const { return bytes_; }
    VulkanDevice& device() const { return device_; }

private:
    void check_range(uint64_t bytes, uint64_t offset) const;
    // Copies between this buffer and a host-visible staging buffer on the device's queue.
    void copy_through_staging(void* host, uint64_t bytes, uint64_t offset, bool to_device) const;

    VulkanDevice& device_;
    VkBuffer buffer_ = VK_NULL_HANDLE;
    MemoryBlock memory_;
    uint64_t bytes_ = 0;
    void* mapped_ = nullptr;
};

}  // namespace sdn::vk
