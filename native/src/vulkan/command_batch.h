// Records many dispatches into one command buffer and submits them together (a block of the
// model at a time, not one submit per op), with a barrier between dependent dispatches.
// Also turns byte ranges of buffers into shader bindings that respect the device's limits.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vulkan/vulkan_buffer.h"

namespace sdn::vk {

// A byte range of a buffer that one shader binding must see.
struct Span {
    const VulkanBuffer* buffer = nullptr;
    uint64_t offset = 0;
    uint64_t bytes = 0;
};

// How a Span is bound: storage-buffer offsets must be multiples of the device's alignment,
// so the binding starts up to one alignment earlier and the shader skips skip_bytes.
struct Window {
    VkBuffer buffer = VK_NULL_HANDLE;
    uint64_t bind_offset = 0;
    uint64_t bind_bytes = 0;
    uint32_t skip_bytes = 0;
    uint32_t skip_floats() const { return skip_bytes / 4; }
};

class CommandBatch {
public:
    explicit CommandBatch(VulkanDevice& device);
    ~CommandBatch();
    CommandBatch(const CommandBatch&) = delete;
    CommandBatch& operator=(const CommandBatch&) = delete;

    VulkanDevice& device() const { return device_; }

    // The binding for `span`. Throws Error(SDN_ERR_UNSUPPORTED) naming `what` when the span
    // exceeds the device's binding limit (ops split their work so this does not happen).
    Window window(const Span& span, const char* what) const;
    // The largest number of rows of `row_bytes` each that one binding can hold.
    uint64_t rows_per_binding(uint64_t row_bytes) const;

    // Records one dispatch of shader `name` with `windows` bound in order.
    void dispatch(const std::string& name, const std::vector<Window>& windows, const void* push,
                  uint32_t push_bytes, uint32_t groups_x, uint32_t groups_y = 1,
                  uint32_t groups_z = 1);
    // A 1-D grid of any number of workgroups (laid out over x and y; see common.glsl).
    void dispatch_flat(const std::string& name, const std::vector<Window>& windows,
                       const void* push, uint32_t push_bytes, uint64_t groups);

    // Submits everything recorded since the last submit as one queue submission and waits.
    // When the cancel check (if set) returns true, nothing is submitted and the call throws
    // Error(SDN_ERR_CANCELLED): cancellation reaches the GPU between submits.
    void submit();
    void set_cancel_check(std::function<bool()> is_cancelled) {
        cancelled_ = std::move(is_cancelled);
    }

    // True while dispatches are recorded but not yet submitted.
    bool has_pending() const { return recording_; }
    uint32_t recorded_dispatches() const { return recorded_; }
    uint32_t submits() const { return submits_; }

private:
    void begin_if_needed();
    VkDescriptorSet allocate_set(VkDescriptorSetLayout layout);

    VulkanDevice& device_;
    VkCommandBuffer cmd_ = VK_NULL_HANDLE;
    bool recording_ = false;
    std::vector<VkDescriptorPool> pools_;
    size_t current_pool_ = 0;
    std::function<bool()> cancelled_;
    uint32_t recorded_ = 0;
    uint32_t pending_ = 0;
    uint32_t submits_ = 0;
};

}  // namespace sdn::vk
