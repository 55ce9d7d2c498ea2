#include "vulkan/vulkan_device.h"

#include <vector>

#include "core/error.h"
#include "vulkan/pipeline_cache.h"

namespace sdn::vk {

void check_vk(VkResult r, const char* what) {
    if (r == VK_SUCCESS) return;
    const sdn_status status =
        (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
            ? SDN_ERR_OUT_OF_MEMORY
            : SDN_ERR_INTERNAL;
    fail(status, std::string("Vulkan: ") + what + " failed with " + vk_result_name(r));
}

namespace {

std::string mib(uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f MiB", double(bytes) / (1024.0 * 1024.0));
    return text;
}

std::string device_names(const VulkanLoader& loader, const std::vector<VkPhysicalDevice>& devices) {
    if (devices.empty()) return "none";
    std::string names;
    for (size_t i = 0; i < devices.size(); ++i) {
        DeviceInfo d = describe_device(loader, devices[i], static_cast<int>(i));
        names += (i ? ", " : "") + std::string("vulkan:") + std::to_string(i) + " (" + d.name + ")";
    }
    return names;
}

}  // namespace

VulkanDevice::VulkanDevice(const DeviceOptions& options) : loader_(VulkanLoader::open()) {
    const VulkanFunctions& vk = fn();
    uint32_t count = 0;
    vk.vkEnumeratePhysicalDevices(loader_->instance(), &count, nullptr);
    std::vector<VkPhysicalDevice> devices(count);
    if (count) vk.vkEnumeratePhysicalDevices(loader_->instance(), &count, devices.data());
    SDN_REQUIRE(count > 0, SDN_ERR_UNSUPPORTED, "Vulkan is available but reports no devices");
    SDN_REQUIRE(options.index >= 0 && options.index < static_cast<int>(count),
                SDN_ERR_INVALID_ARGUMENT,
                "no Vulkan device vulkan:" + std::to_string(options.index) +
                    "; the devices are: " + device_names(*loader_, devices));
    physical_ = devices[static_cast<size_t>(options.index)];
    info_ = describe_device(*loader_, physical_, options.index);
    vk.vkGetPhysicalDeviceMemoryProperties(physical_, &memory_props_);
    // The shaders use 256-invocation workgroups and up to ~2 KiB of shared memory: more than
    // Vulkan's guaranteed minimum (128 invocations), less than any real GPU offers.
    SDN_REQUIRE(info_.max_workgroup_invocations >= 256 && info_.max_shared_memory_bytes >= 16384,
                SDN_ERR_UNSUPPORTED,
                "Vulkan device " + info_.name + " allows only " +
                    std::to_string(info_.max_workgroup_invocations) +
                    " invocations per workgroup; the backend needs 256");

    uint32_t family_count = 0;
    vk.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &family_count, nullptr);
    std::vector<VkQueueFamilyProperties> families(family_count);
    vk.vkGetPhysicalDeviceQueueFamilyProperties(physical_, &family_count, families.data());
    bool found = false;
    for (uint32_t f = 0; f < family_count && !found; ++f) {
        if (families[f].queueFlags & VK_QUEUE_COMPUTE_BIT) {
            queue_family_ = f;
            found = true;
        }
    }
    SDN_REQUIRE(found, SDN_ERR_UNSUPPORTED,
                "Vulkan device " + info_.name + " has no compute queue");

    const float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
    queue_info.queueFamilyIndex = queue_family_;
    queue_info.queueCount = 1;
    queue_info.pQueuePriorities = &priority;
    VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
    device_info.queueCreateInfoCount = 1;
    device_info.pQueueCreateInfos = &queue_info;
    check_vk(vk.vkCreateDevice(physical_, &device_info, nullptr, &device_), "vkCreateDevice");
    vk.vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

    VkCommandPoolCreateInfo pool_info{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
    pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
    pool_info.queueFamilyIndex = queue_family_;
    check_vk(vk.vkCreateCommandPool(device_, &pool_info, nullptr, &command_pool_),
             "vkCreateCommandPool");
    VkFenceCreateInfo fence_info{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    check_vk(vk.vkCreateFence(device_, &fence_info, nullptr, &fence_), "vkCreateFence");

    max_binding_bytes_ = info_.max_storage_buffer_range;
    if (options.max_binding_bytes && options.max_binding_bytes < max_binding_bytes_)
        max_binding_bytes_ = options.max_binding_bytes;
    budget_bytes_ = info_.device_local_bytes;
    if (options.memory_budget_bytes && options.memory_budget_bytes < budget_bytes_)
        budget_bytes_ = options.memory_budget_bytes;
}

VulkanDevice::~VulkanDevice() {
    const VulkanFunctions& vk = fn();
    if (device_) vk.vkDeviceWaitIdle(device_);
    pipelines_.reset();
    if (fence_) vk.vkDestroyFence(device_, fence_, nullptr);
    if (command_pool_) vk.vkDestroyCommandPool(device_, command_pool_, nullptr);
    if (device_) vk.vkDestroyDevice(device_, nullptr);
}

uint64_t VulkanDevice::memory_in_use() const {
    std::lock_guard<std::mutex> lock(memory_mutex_);
    return in_use_bytes_;
}

uint32_t VulkanDevice::find_memory_type(uint32_t type_bits, bool want_host_visible,
                                        bool& host_visible) const {
    // Preference: device-local and host-visible (integrated GPUs, resizable BAR, lavapipe),
    // then device-local alone (uploads go through a staging buffer), then host-visible alone.
    const VkMemoryPropertyFlags local = VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT;
    const VkMemoryPropertyFlags mapped =
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    const VkMemoryPropertyFlags wanted[3] = {local | mapped, want_host_visible ? mapped : local,
                                             want_host_visible ? mapped : local};
    for (VkMemoryPropertyFlags flags : wanted) {
        for (uint32_t t = 0; t < memory_props_.memoryTypeCount; ++t) {
            if (!(type_bits & (1u << t))) continue;
            if ((memory_props_.memoryTypes[t].propertyFlags & flags) != flags) continue;
            host_visible = (memory_props_.memoryTypes[t].propertyFlags & mapped) == mapped;
            return t;
        }
    }
    fail(SDN_ERR_UNSUPPORTED, "Vulkan device " + info_.name + " has no usable memory type");
}

MemoryBlock VulkanDevice::allocate(const VkMemoryRequirements& requirements, bool want_host_visible,
                                   const std::string& what) {
    MemoryBlock block;
    block.bytes = requirements.size;
    {
        std::lock_guard<std::mutex> lock(memory_mutex_);
        if (in_use_bytes_ + block.bytes > budget_bytes_)
            fail(SDN_ERR_OUT_OF_MEMORY, "Vulkan device " + info_.name +
                                            " is out of memory: " + what + " needs " +
                                            mib(block.bytes) + " but " + mib(in_use_bytes_) +
                                            " of its " + mib(budget_bytes_) + " are in use");
        in_use_bytes_ += block.bytes;
    }
    VkMemoryAllocateInfo info{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
    info.allocationSize = requirements.size;
    try {
        info.memoryTypeIndex =
            find_memory_type(requirements.memoryTypeBits, want_host_visible, block.host_visible);
        const VkResult r = fn().vkAllocateMemory(device_, &info, nullptr, &block.memory);
        if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
            fail(SDN_ERR_OUT_OF_MEMORY, "Vulkan device " + info_.name +
                                            " is out of memory: " + what + " needs " +
                                            mib(block.bytes) + " (" + vk_result_name(r) + ")");
        check_vk(r, "vkAllocateMemory");
    } catch (...) {
        std::lock_guard<std::mutex> lock(memory_mutex_);
        in_use_bytes_ -= block.bytes;
        throw;
    }
    return block;
}

void VulkanDevice::release(MemoryBlock& block) {
    if (!block.memory) return;
    fn().vkFreeMemory(device_, block.memory, nullptr);
    block.memory = VK_NULL_HANDLE;
    std::lock_guard<std::mutex> lock(memory_mutex_);
    in_use_bytes_ -= block.bytes;
}

VkCommandBuffer VulkanDevice::allocate_command_buffer() {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    VkCommandBufferAllocateInfo info{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
    info.commandPool = command_pool_;
    info.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
    info.commandBufferCount = 1;
    VkCommandBuffer cmd = VK_NULL_HANDLE;
    check_vk(fn().vkAllocateCommandBuffers(device_, &info, &cmd), "vkAllocateCommandBuffers");
    return cmd;
}

void VulkanDevice::free_command_buffer(VkCommandBuffer cmd) {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    fn().vkFreeCommandBuffers(device_, command_pool_, 1, &cmd);
}

void VulkanDevice::submit_and_wait(VkCommandBuffer cmd) {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    VkSubmitInfo submit{VK_STRUCTURE_TYPE_SUBMIT_INFO};
    submit.commandBufferCount = 1;
    submit.pCommandBuffers = &cmd;
    check_vk(fn().vkResetFences(device_, 1, &fence_), "vkResetFences");
    check_vk(fn().vkQueueSubmit(queue_, 1, &submit, fence_), "vkQueueSubmit");
    check_vk(fn().vkWaitForFences(device_, 1, &fence_, VK_TRUE, UINT64_MAX), "vkWaitForFences");
}

PipelineCache& VulkanDevice::pipelines() {
    std::call_once(pipelines_once_,
                   [this] { pipelines_ = std::make_unique<PipelineCache>(*this); });
    return *pipelines_;
}

}  // namespace sdn::vk
