// sdn_device_* entry points: the GPU devices a context can compute on.
#include <cstring>

#include "api/device_selection.h"
#include "guard.h"

using namespace sdn;

extern "C" {

SDN_API int32_t sdn_device_count(void) {
    try {
        return static_cast<int32_t>(api::gpu_devices().size());
    } catch (...) {
        return 0;
    }
}

SDN_API sdn_status sdn_device_info(int32_t index, sdn_device_info_t* out) {
    return guarded(nullptr, [&] {
        SDN_REQUIRE_ARG(out);
        const auto devices = api::gpu_devices();
        SDN_REQUIRE(
            index >= 0 && index < static_cast<int32_t>(devices.size()), SDN_ERR_INVALID_ARGUMENT,
            "no device " + std::to_string(index) + "; there are " + std::to_string(devices.size()));
        *out = devices[static_cast<size_t>(index)];
    });
}

}  // extern "C"
