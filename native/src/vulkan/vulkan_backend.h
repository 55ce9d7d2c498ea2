// The Vulkan implementation of the engine's Backend interface (core/backend.h): device
// buffers, resident weights kept in their stored type, and every op recorded into one
// command batch that submit() hands to the GPU. Model code reaches it only through Backend.
#pragma once

#include <functional>
#include <memory>

#include "core/backend.h"
#include "vulkan/vulkan_device.h"

namespace sdn {
class Context;
}

namespace sdn::vk {

// A backend on the Vulkan device options.index. is_cancelled (optional) is asked before
// every submit: cancellation reaches the GPU between submits. Throws Error(SDN_ERR_UNSUPPORTED)
// when Vulkan is unavailable, Error(SDN_ERR_INVALID_ARGUMENT) naming the devices when the
// index does not exist.
std::unique_ptr<Backend> make_vulkan_backend(const DeviceOptions& options,
                                             std::function<bool()> is_cancelled = {});

// A BackendFactory: the first Vulkan device, cancelled through the context.
std::unique_ptr<Backend> make_vulkan_backend_for(Context& ctx);

}  // namespace sdn::vk
