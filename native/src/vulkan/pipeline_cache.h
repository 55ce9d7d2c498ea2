// Compute pipelines of one device, created on first use and kept for the device's lifetime
// (so each is built once per device). Every pipeline has one descriptor set of storage
// buffers and a 128-byte push-constant block (the portable minimum).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "vulkan/vulkan_functions.h"

namespace sdn::vk {

class VulkanDevice;

struct Pipeline {
    VkPipeline pipeline = VK_NULL_HANDLE;
    VkPipelineLayout layout = VK_NULL_HANDLE;
    VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
    uint32_t bindings = 0;
};

constexpr uint32_t kPushConstantBytes = 128;

class PipelineCache {
public:
    explicit PipelineCache(VulkanDevice& device) : device_(device) {}
    ~PipelineCache();
    PipelineCache(const PipelineCache&) = delete;
    PipelineCache& operator=(const PipelineCache&) = delete;

    // The pipeline of embedded shader `name` with `bindings` storage buffers.
    const Pipeline& get(const std::string& name, uint32_t bindings);
    size_t size() const;

private:
    VulkanDevice& device_;
    mutable std::mutex mutex_;
    std::map<std::string, Pipeline> pipelines_;
};

}  // namespace sdn::vk
