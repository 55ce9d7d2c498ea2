// Version, status names and system information.
#include <cstring>

#include "core/cpu_features.h"
#include "core/live_objects.h"
#include "guard.h"

using namespace sdn;

extern "C" {

SDN_API int32_t sdn_abi_version(void) { return SDN_ABI_VERSION; }

SDN_API const char* sdn_version_string(void) { return SDN_VERSION_STRING; }

SDN_API const char* sdn_status_name(int32_t status) {
    switch (status) {
        case SDN_OK: return "ok";
        case SDN_ERR_INVALID_ARGUMENT: return "invalid_argument";
        case SDN_ERR_IO: return "io_error";
        case SDN_ERR_FORMAT: return "format_error";
        case SDN_ERR_UNSUPPORTED: return "unsupported";
        case SDN_ERR_OUT_OF_MEMORY: return "out_of_memory";
        case SDN_ERR_CANCELLED: return "cancelled";
        case SDN_ERR_NOT_FOUND: return "not_found";
        case SDN_ERR_INTERNAL: return "internal_error";
        default: return "unknown_status";
    }
}

SDN_API sdn_status sdn_system_info(sdn_system_info_t* out) {
    if (!out) return SDN_ERR_INVALID_ARGUMENT;
    const CpuInfo& cpu = cpu_info();
    *out = sdn_system_info_t{};
    out->struct_size = sizeof(*out);
    out->cpu_features = cpu.features;
    out->backends = SDN_BACKEND_CPU;
#if SDN_HAVE_VULKAN
    out->backends |= SDN_BACKEND_VULKAN;
#endif
    out->physical_cores = cpu.physical_cores;
    out->logical_cores = cpu.logical_cores;
    out->default_threads = cpu.physical_cores;
    out->best_cpu_variant = best_cpu_variant();
    std::strncpy(out->cpu_name, cpu.name.c_str(), sizeof(out->cpu_name) - 1);
    return SDN_OK;
}

SDN_API int64_t sdn_live_object_count(void) { return live_object_counter().load(); }

SDN_API int64_t sdn_debug_live_objects(int32_t kind) {
    if (kind < 0 || kind >= SDN_LIVE_KIND_COUNT) return -1;
    return live_counter(static_cast<sdn_live_kind>(kind)).load();
}

}  // extern "C"
