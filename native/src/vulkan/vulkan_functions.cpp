#include "vulkan/vulkan_functions.h"

#include <dlfcn.h>

#include <cstdlib>
#include <map>
#include <mutex>

#include "core/error.h"

namespace sdn::vk {

std::string VulkanLoader::library_name() {
    const char* override_name = std::getenv("SDN_VULKAN_LIBRARY");
    return override_name && *override_name ? override_name : "libvulkan.so.1";
}

std::shared_ptr<VulkanLoader> VulkanLoader::open() {
    // One loader per library name for the whole process: instances are costly to create and
    // every device of the process can share one.
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<VulkanLoader>> open_loaders;
    const std::string name = library_name();
    std::lock_guard<std::mutex> lock(mutex);
    if (auto existing = open_loaders[name].lock()) return existing;

    std::shared_ptr<VulkanLoader> loader(new VulkanLoader());
    loader->library_ = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!loader->library_) {
        const char* why = dlerror();
        fail(SDN_ERR_UNSUPPORTED, "Vulkan is not available: cannot load " + name + " (" +
                                      (why ? why : "unknown reason") + ")");
    }
    auto get_proc = reinterpret_cast<PFN_vkGetInstanceProcAddr>(
        dlsym(loader->library_, "vkGetInstanceProcAddr"));
    SDN_REQUIRE(get_proc, SDN_ERR_UNSUPPORTED, name + " has no vkGetInstanceProcAddr");
    auto create_instance =
        reinterpret_cast<PFN_vkCreateInstance>(get_proc(VK_NULL_HANDLE, "vkCreateInstance"));
    SDN_REQUIRE(create_instance, SDN_ERR_UNSUPPORTED, name + " has no vkCreateInstance");

    VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
    app.pApplicationName = "sdnative";
    app.pEngineName = "sdnative";
    app.apiVersion = VK_API_VERSION_1_2;
    VkInstanceCreateInfo info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
    info.pApplicationInfo = &app;
    const VkResult r = create_instance(&info, nullptr, &loader->instance_);
    SDN_REQUIRE(
        r == VK_SUCCESS, SDN_ERR_UNSUPPORTED,
        std::string("Vulkan is not available: vkCreateInstance failed with ") + vk_result_name(r));

#define SDN_VK_LOAD(fn_name)                                                                      \
    loader->fn_.fn_name = reinterpret_cast<PFN_##fn_name>(get_proc(loader->instance_, #fn_name)); \
    SDN_REQUIRE(loader->fn_.fn_name, SDN_ERR_UNSUPPORTED,                                         \
                "the Vulkan loader " + name + " lacks " #fn_name " (Vulkan 1.2 is required)");
    SDN_VK_FUNCTIONS(SDN_VK_LOAD)
#undef SDN_VK_LOAD
    open_loaders[name] = loader;
    return loader;
}

VulkanLoader::~VulkanLoader() {
    if (instance_ && fn_.vkDestroyInstance) fn_.vkDestroyInstance(instance_, nullptr);
    // The library stays loaded: drivers may keep threads or atexit handlers that point into it.
}

const char* vk_result_name(VkResult r) {
    switch (r) {
        case VK_SUCCESS:
            return "VK_SUCCESS";
        case VK_NOT_READY:
            return "VK_NOT_READY";
        case VK_TIMEOUT:
            return "VK_TIMEOUT";
        case VK_ERROR_OUT_OF_HOST_MEMORY:
            return "VK_ERROR_OUT_OF_HOST_MEMORY";
        case VK_ERROR_OUT_OF_DEVICE_MEMORY:
            return "VK_ERROR_OUT_OF_DEVICE_MEMORY";
        case VK_ERROR_INITIALIZATION_FAILED:
            return "VK_ERROR_INITIALIZATION_FAILED";
        case VK_ERROR_DEVICE_LOST:
            return "VK_ERROR_DEVICE_LOST";
        case VK_ERROR_MEMORY_MAP_FAILED:
            return "VK_ERROR_MEMORY_MAP_FAILED";
        case VK_ERROR_LAYER_NOT_PRESENT:
            return "VK_ERROR_LAYER_NOT_PRESENT";
        case VK_ERROR_EXTENSION_NOT_PRESENT:
            return "VK_ERROR_EXTENSION_NOT_PRESENT";
        case VK_ERROR_FEATURE_NOT_PRESENT:
            return "VK_ERROR_FEATURE_NOT_PRESENT";
        case VK_ERROR_INCOMPATIBLE_DRIVER:
            return "VK_ERROR_INCOMPATIBLE_DRIVER";
        case VK_ERROR_TOO_MANY_OBJECTS:
            return "VK_ERROR_TOO_MANY_OBJECTS";
        default:
            return "VkResult error";
    }
}

}  // namespace sdn::vk
