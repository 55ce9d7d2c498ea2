// Which backend a new context computes with, from sdn_context_options_t's backend and
// device_index: the CPU, a named Vulkan device, or automatic (a discrete or integrated GPU,
// else the CPU; never a CPU emulation such as lavapipe unless asked for by index).
#pragma once

#include <memory>
#include <vector>

#include "core/backend.h"
#include "core/context.h"
#include "sdnative.h"

namespace sdn::api {

// The GPU devices of this machine as the C API lists them (empty without a GPU backend or
// driver; never throws).
std::vector<sdn_device_info_t> gpu_devices();

// Attaches the chosen backend to ctx, its memory capped at memory_cap_bytes (0: no cap). Throws Error(SDN_ERR_INVALID_ARGUMENT) naming the
// devices there are for an index that does not exist, Error(SDN_ERR_UNSUPPORTED) when the
// backend is not compiled in or Vulkan is unavailable.
void attach_backend(Context& ctx, int32_t backend, int32_t device_index,
                    int64_t memory_cap_bytes = 0);

}  // namespace sdn::api
