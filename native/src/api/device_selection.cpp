#include "api/device_selection.h"

#include <cstring>

#include "core/error.h"
#include "cpu/cpu_backend.h"
#if SDN_HAVE_VULKAN
#include "vulkan/device_info.h"
#include "vulkan/vulkan_backend.h"
#endif

namespace sdn::api {

std::vector<sdn_device_info_t> gpu_devices() {
    std::vector<sdn_device_info_t> out;
#if SDN_HAVE_VULKAN
    std::vector<vk::DeviceInfo> devices;
    try {
        devices = vk::list_devices();
    } catch (const Error&) {
        return out;  // no loader or driver: no GPU devices
    }
    for (const vk::DeviceInfo& d : devices) {
        sdn_device_info_t info{};
        info.struct_size = sizeof(info);
        info.backend = SDN_BACKEND_VULKAN;
        info.index = d.index;
        switch (d.type) {
            case vk::DeviceType::Integrated:
                info.type = SDN_DEVICE_INTEGRATED_GPU;
                break;
            case vk::DeviceType::Discrete:
                info.type = SDN_DEVICE_DISCRETE_GPU;
                break;
            case vk::DeviceType::Virtual:
                info.type = SDN_DEVICE_VIRTUAL_GPU;
                break;
            case vk::DeviceType::Cpu:
                info.type = SDN_DEVICE_CPU_EMULATION;
                break;
            default:
                info.type = SDN_DEVICE_OTHER;
                break;
        }
        info.memory_bytes = static_cast<int64_t>(d.device_local_bytes);
        info.features = (d.f16 ? SDN_DEVICE_F16 : 0u) | (d.int8 ? SDN_DEVICE_INT8 : 0u) |
                        (d.cooperative_matrix ? SDN_DEVICE_COOPERATIVE_MATRIX : 0u);
        std::strncpy(info.name, d.name.c_str(), sizeof(info.name) - 1);
        out.push_back(info);
    }
#endif
    return out;
}

namespace {

#if SDN_HAVE_VULKAN
void attach_vulkan(Context& ctx, int32_t index, int64_t memory_cap_bytes) {
    vk::DeviceOptions options;
    options.index = index;
    options.memory_budget_bytes = static_cast<uint64_t>(memory_cap_bytes);
    ctx.set_backend(vk::make_vulkan_backend(options, [&ctx] { return ctx.cancel_requested(); }));
}
#endif

}  // namespace

void attach_backend(Context& ctx, int32_t backend, int32_t device_index,
                    int64_t memory_cap_bytes) {
#if SDN_HAVE_VULKAN
    if (backend == SDN_BACKEND_VULKAN) {
        SDN_REQUIRE(device_index >= 0, SDN_ERR_INVALID_ARGUMENT,
                    "device_index must not be negative");
        attach_vulkan(ctx, device_index, memory_cap_bytes);
        return;
    }
    if (backend == 0) {
        for (const sdn_device_info_t& d : gpu_devices()) {
            if (d.type != SDN_DEVICE_DISCRETE_GPU && d.type != SDN_DEVICE_INTEGRATED_GPU) continue;
            try {
                attach_vulkan(ctx, d.index, memory_cap_bytes);
                return;
            } catch (const Error& e) {
                ctx.log(SDN_LOG_WARN, "automatic device choice: %s unusable (%s); trying the next",
                        d.name, e.what());
            }
        }
    }
#endif
    // The CPU, asked for or automatic when no GPU was usable.
    if (backend == SDN_BACKEND_CPU || backend == 0) {
        cpu::CpuMemoryLimits limits;
        limits.cap_bytes = memory_cap_bytes;
        ctx.set_backend(cpu::make_capped_cpu_backend(ctx, std::move(limits)));
        return;
    }
    fail(backend == SDN_BACKEND_VULKAN || backend == SDN_BACKEND_CUDA ? SDN_ERR_UNSUPPORTED
                                                                      : SDN_ERR_INVALID_ARGUMENT,
         "backend " + std::to_string(backend) + " is not compiled into this library");
}

}  // namespace sdn::api
