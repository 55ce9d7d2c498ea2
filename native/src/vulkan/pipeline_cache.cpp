#include "vulkan/pipeline_cache.h"

#include <vector>

#include "core/error.h"
#include "vulkan/embedded_shaders.h"
#include "vulkan/vulkan_device.h"

namespace sdn::vk {

PipelineCache::~PipelineCache() {
    const VulkanFunctions& vk = device_.fn();
    for (auto& [name, p] : pipelines_) {
        vk.vkDestroyPipeline(device_.handle(), p.pipeline, nullptr);
        vk.vkDestroyPipelineLayout(device_.handle(), p.layout, nullptr);
        vk.vkDestroyDescriptorSetLayout(device_.handle(), p.set_layout, nullptr);
    }
}

size_t PipelineCache::size() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return pipelines_.size();
}

const Pipeline& PipelineCache::get(const std::string& name, uint32_t bindings) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = pipelines_.find(name);
    if (found != pipelines_.end()) return found->second;

    const EmbeddedShader* shader = find_embedded_shader(name);
    SDN_REQUIRE(shader, SDN_ERR_INTERNAL, "no embedded Vulkan shader " + name);
    const VulkanFunctions& vk = device_.fn();
    VkDevice device = device_.handle();
    Pipeline p;
    p.bindings = bindings;

    std::vector<VkDescriptorSetLayoutBinding> slots(bindings);
    for (uint32_t b = 0; b < bindings; ++b) {
        slots[b].binding = b;
        slots[b].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
        slots[b].descriptorCount = 1;
        slots[b].stageFlags = VK_SHADER_STAGE_COMPUTE_BIT;
    }
    VkDescriptorSetLayoutCreateInfo set_info{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
    set_info.bindingCount = bindings;
    set_info.pBindings = slots.data();
    check_vk(vk.vkCreateDescriptorSetLayout(device, &set_info, nullptr, &p.set_layout),
             "vkCreateDescriptorSetLayout");

    VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, kPushConstantBytes};
    VkPipelineLayoutCreateInfo layout_info{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
    layout_info.setLayoutCount = 1;
    layout_info.pSetLayouts = &p.set_layout;
    layout_info.pushConstantRangeCount = 1;
    layout_info.pPushConstantRanges = &push;
    VkShaderModule module = VK_NULL_HANDLE;
    try {
        check_vk(vk.vkCreatePipelineLayout(device, &layout_info, nullptr, &p.layout),
                 "vkCreatePipelineLayout");
        VkShaderModuleCreateInfo module_info{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
        module_info.codeSize = shader->word_count * 4;
        module_info.pCode = shader->words;
        check_vk(vk.vkCreateShaderModule(device, &module_info, nullptr, &module),
                 "vkCreateShaderModule");
        VkComputePipelineCreateInfo info{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
        info.stage.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO;
        info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
        info.stage.module = module;
        info.stage.pName = "main";
        info.layout = p.layout;
        check_vk(
            vk.vkCreateComputePipelines(device, VK_NULL_HANDLE, 1, &info, nullptr, &p.pipeline),
            ("vkCreateComputePipelines for " + name).c_str());
    } catch (...) {
        if (module) vk.vkDestroyShaderModule(device, module, nullptr);
        if (p.layout) vk.vkDestroyPipelineLayout(device, p.layout, nullptr);
        vk.vkDestroyDescriptorSetLayout(device, p.set_layout, nullptr);
        throw;
    }
    vk.vkDestroyShaderModule(device, module, nullptr);
    return pipelines_.emplace(name, p).first->second;
}

}  // namespace sdn::vk
