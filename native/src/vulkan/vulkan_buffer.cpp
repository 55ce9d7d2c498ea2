#include "vulkan/vulkan_buffer.h"

#include <cstring>

#include "core/error.h"

namespace sdn::vk {

VulkanBuffer::VulkanBuffer(VulkanDevice& device, uint64_t bytes, const std::string& what,
                           bool host_visible)
    : device_(device), bytes_(bytes) {
    SDN_REQUIRE(bytes > 0, SDN_ERR_INVALID_ARGUMENT, "Vulkan buffer " + what + " has no bytes");
    const VulkanFunctions& vk = device.fn();
    VkBufferCreateInfo info{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
    // Sizes round up to whole 32-bit words: shaders read every buffer as words.
    info.size = (bytes + 3) & ~uint64_t(3);
    info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT |
                 VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
    check_vk(vk.vkCreateBuffer(device.handle(), &info, nullptr, &buffer_), "vkCreateBuffer");
    try {
        VkMemoryRequirements requirements{};
        vk.vkGetBufferMemoryRequirements(device.handle(), buffer_, &requirements);
        memory_ = device.allocate(requirements, host_visible, what);
        check_vk(vk.vkBindBufferMemory(device.handle(), buffer_, memory_.memory, 0),
                 "vkBindBufferMemory");
        if (memory_.host_visible)
            check_vk(vk.vkMapMemory(device.handle(), memory_.memory, 0, VK_WHOLE_SIZE, 0, &mapped_),
                     "vkMapMemory");
    } catch (...) {
        device.release(memory_);
        vk.vkDestroyBuffer(device.handle(), buffer_, nullptr);
        throw;
    }
}

VulkanBuffer::~VulkanBuffer() {
    const VulkanFunctions& vk = device_.fn();
    if (mapped_) vk.vkUnmapMemory(device_.handle(), memory_.memory);
    vk.vkDestroyBuffer(device_.handle(), buffer_, nullptr);
    device_.release(memory_);
}

void VulkanBuffer::check_range(uint64_t bytes, uint64_t offset) const {
    SDN_REQUIRE(offset <= bytes_ && bytes <= bytes_ - offset, SDN_ERR_INVALID_ARGUMENT,
                "Vulkan buffer transfer of " + std::to_string(bytes) + " bytes at offset " +
                    std::to_string(offset) + " exceeds the buffer's " + std::to_string(bytes_));
}

void VulkanBuffer::upload(const void* src, uint64_t bytes, uint64_t offset) {
    check_range(bytes, offset);
    if (!bytes) return;
    if (mapped_)
        std::memcpy(static_cast<char*>(mapped_) + offset, src, bytes);
    else
        copy_through_staging(const_cast<void*>(src), bytes, offset, true);
}

void VulkanBuffer::download(void* dst, uint64_t bytes, uint64_t offset) const {
    check_range(bytes, offset);
    if (!bytes) return;
    if (mapped_)
        std::memcpy(dst, static_cast<const char*>(mapped_) + offset, bytes);
    else
        copy_through_staging(dst, bytes, offset, false);
}

void VulkanBuffer::copy_through_staging(void* host, uint64_t bytes, uint64_t offset,
                                        bool to_device) const {
    VulkanBuffer staging(device_, bytes, "a staging buffer", true);
    SDN_REQUIRE(staging.mapped_, SDN_ERR_UNSUPPORTED, "Vulkan device has no host-visible memory");
    if (to_device) std::memcpy(staging.mapped_, host, bytes);
    const VulkanFunctions& vk = device_.fn();
    VkCommandBuffer cmd = device_.allocate_command_buffer();
    try {
        VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
        check_vk(vk.vkBeginCommandBuffer(cmd, &begin), "vkBeginCommandBuffer");
        VkBufferCopy region{};
        region.size = bytes;
        if (to_device) {
            region.dstOffset = offset;
            vk.vkCmdCopyBuffer(cmd, staging.buffer_, buffer_, 1, &region);
        } else {
            region.srcOffset = offset;
            vk.vkCmdCopyBuffer(cmd, buffer_, staging.buffer_, 1, &region);
        }
        check_vk(vk.vkEndCommandBuffer(cmd), "vkEndCommandBuffer");
        device_.submit_and_wait(cmd);
    } catch (...) {
        device_.free_command_buffer(cmd);
        throw;
    }
    device_.free_command_buffer(cmd);
    if (!to_device) std::memcpy(host, staging.mapped_, bytes);
}

}  // namespace sdn::vk
