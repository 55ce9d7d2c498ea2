#include "vulkan/command_batch.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "vulkan/pipeline_cache.h"

namespace sdn::vk {

namespace {
constexpr uint32_t kSetsPerPool = 256;
constexpr uint32_t kMaxBindingsPerSet = 4;
constexpr uint64_t kMaxGroupsPerDimension = 65535;
}  // namespace

CommandBatch::CommandBatch(VulkanDevice& device) : device_(device) {
    cmd_ = device.allocate_command_buffer();
}

CommandBatch::~CommandBatch() {
    const VulkanFunctions& vk = device_.fn();
    if (recording_) vk.vkEndCommandBuffer(cmd_);
    for (VkDescriptorPool pool : pools_)
        vk.vkDestroyDescriptorPool(device_.handle(), pool, nullptr);
    device_.free_command_buffer(cmd_);
}

uint64_t CommandBatch::rows_per_binding(uint64_t row_bytes) const {
    // Leave room for the alignment slack in front of a window that does not start aligned.
    const uint64_t usable = device_.max_binding_bytes() - device_.binding_alignment();
    return row_bytes ? usable / row_bytes : UINT64_MAX;
}

Window CommandBatch::window(const Span& span, const char* what) const {
    SDN_REQUIRE(span.buffer, SDN_ERR_INVALID_ARGUMENT,
                std::string("Vulkan op: no buffer for ") + what);
    const uint64_t stored = (span.buffer->size() + 3) & ~uint64_t(3);
    SDN_REQUIRE(
        span.offset <= span.buffer->size() && span.bytes <= span.buffer->size() - span.offset,
        SDN_ERR_INVALID_ARGUMENT,
        std::string("Vulkan op: ") + what + " lies outside its buffer (" +
            std::to_string(span.offset) + " + " + std::to_string(span.bytes) + " > " +
            std::to_string(span.buffer->size()) + " bytes)");
    Window w;
    w.buffer = span.buffer->handle();
    const uint64_t align = std::max<uint64_t>(device_.binding_alignment(), 4);
    w.bind_offset = span.offset / align * align;
    w.skip_bytes = static_cast<uint32_t>(span.offset - w.bind_offset);
    w.bind_bytes = std::min<uint64_t>(((w.skip_bytes + span.bytes + 3) & ~uint64_t(3)),
                                      stored - w.bind_offset);
    if (w.bind_bytes == 0) w.bind_bytes = 4;
    SDN_REQUIRE(w.bind_bytes <= device_.max_binding_bytes(), SDN_ERR_UNSUPPORTED,
                std::string("Vulkan op: ") + what + " needs a " + std::to_string(w.bind_bytes) +
                    "-byte binding, more than the device's limit of " +
                    std::to_string(device_.max_binding_bytes()));
    return w;
}

void CommandBatch::begin_if_needed() {
    if (recording_) return;
    VkCommandBufferBeginInfo begin{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
    check_vk(device_.fn().vkBeginCommandBuffer(cmd_, &begin), "vkBeginCommandBuffer");
    recording_ = true;
}

VkDescriptorSet CommandBatch::allocate_set(VkDescriptorSetLayout layout) {
    const VulkanFunctions& vk = device_.fn();
    for (;; ++current_pool_) {
        if (current_pool_ == pools_.size()) {
            VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                      kSetsPerPool * kMaxBindingsPerSet};
            VkDescriptorPoolCreateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
            info.maxSets = kSetsPerPool;
            info.poolSizeCount = 1;
            info.pPoolSizes = &size;
            VkDescriptorPool pool = VK_NULL_HANDLE;
            check_vk(vk.vkCreateDescriptorPool(device_.handle(), &info, nullptr, &pool),
                     "vkCreateDescriptorPool");
            pools_.push_back(pool);
        }
        VkDescriptorSetAllocateInfo info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
        info.descriptorPool = pools_[current_pool_];
        info.descriptorSetCount = 1;
        info.pSetLayouts = &layout;
        VkDescriptorSet set = VK_NULL_HANDLE;
        const VkResult r = vk.vkAllocateDescriptorSets(device_.handle(), &info, &set);
        if (r == VK_SUCCESS) return set;
        if (r != VK_ERROR_OUT_OF_POOL_MEMORY && r != VK_ERROR_FRAGMENTED_POOL)
            check_vk(r, "vkAllocateDescriptorSets");
    }
}

void CommandBatch::dispatch(const std::string& name, const std::vector<Window>& windows,
                            const void* push, uint32_t push_bytes, uint32_t groups_x,
                            uint32_t groups_y, uint32_t groups_z) {
    SDN_REQUIRE(windows.size() <= kMaxBindingsPerSet && push_bytes <= kPushConstantBytes,
                SDN_ERR_INTERNAL,
                "Vulkan dispatch of " + name + " has too many bindings or constants");
    if (groups_x == 0 || groups_y == 0 || groups_z == 0) return;
    const Pipeline& p = device_.pipelines().get(name, static_cast<uint32_t>(windows.size()));
    const VulkanFunctions& vk = device_.fn();
    begin_if_needed();

    VkDescriptorSet set = allocate_set(p.set_layout);
    VkDescriptorBufferInfo infos[kMaxBindingsPerSet];
    VkWriteDescriptorSet writes[kMaxBindingsPerSet];
    for (size_t i = 0; i < windows.size(); ++i) {
        infos[i] = {windows[i].buffer, windows[i].bind_offset, windows[i].bind_bytes};
        writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
        writes[i].dstSet = set;
        writes[i].dstBinding = static_cast<uint32_t>(i);
        writes[i].descriptorCount = 1;
        writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        writes[i].pBufferInfo = &infos[i];
    }
    vk.vkUpdateDescriptorSets(device_.handle(), static_cast<uint32_t>(windows.size()), writes, 0,
                              nullptr);

    uint8_t constants[kPushConstantBytes] = {};
    std::memcpy(constants, push, push_bytes);
    vk.vkCmdBindPipeline(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, p.pipeline);
    vk.vkCmdBindDescriptorSets(cmd_, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout, 0, 1, &set, 0,
                               nullptr);
    vk.vkCmdPushConstants(cmd_, p.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes,
                          constants);
    vk.vkCmdDispatch(cmd_, groups_x, groups_y, groups_z);
    // Every op may read what the previous one wrote; one global barrier orders them.
    VkMemoryBarrier barrier{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
    barrier.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT;
    barrier.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT;
    vk.vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                            VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &barrier, 0, nullptr, 0,
                            nullptr);
    ++recorded_;
    ++pending_;
}

void CommandBatch::dispatch_flat(const std::string& name, const std::vector<Window>& windows,
                                 const void* push, uint32_t push_bytes, uint64_t groups) {
    if (groups == 0) return;
    const uint64_t x = std::min(groups, kMaxGroupsPerDimension);
    const uint64_t y = (groups + x - 1) / x;
    SDN_REQUIRE(y <= kMaxGroupsPerDimension, SDN_ERR_UNSUPPORTED,
                "Vulkan dispatch of " + name + " is too large");
    dispatch(name, windows, push, push_bytes, static_cast<uint32_t>(x), static_cast<uint32_t>(y));
}

void CommandBatch::submit() {
    if (!recording_) return;
    const VulkanFunctions& vk = device_.fn();
    check_vk(vk.vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
    recording_ = false;
    const bool cancel = cancelled_ && cancelled_();
    if (!cancel) device_.submit_and_wait(cmd_);
    vk.vkResetCommandBuffer(cmd_, 0);
    for (VkDescriptorPool pool : pools_) vk.vkResetDescriptorPool(device_.handle(), pool, 0);
    current_pool_ = 0;
    pending_ = 0;
    SDN_REQUIRE(!cancel, SDN_ERR_CANCELLED, "cancelled");
    ++submits_;
}

}  // namespace sdn::vk
