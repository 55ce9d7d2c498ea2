// The structs behind the opaque handles of sdnative.h. Model handles are defined by their
// owners in model/ and are only forward-declared here.
#pragma once

#include "core/context.h"
#include "core/live_objects.h"
#include "core/tensor.h"
#include "cpu/cpu_backend.h"

struct sdn_context : sdn::LiveHandle<SDN_LIVE_CONTEXTS> {
    // The CPU computes unless the creator attaches another backend (api/device_selection.h).
    sdn_context(int threads, sdn_cpu_variant variant,
                sdn::BackendFactory make_backend = &sdn::cpu::make_cpu_backend)
        : impl(threads, variant, make_backend) {}
    sdn::Context impl;
    std::string device_name;  // cached for sdn_context_device_name
};

struct sdn_tensor : sdn::LiveHandle<SDN_LIVE_TENSORS> {
    sdn::Tensor impl;
};

namespace sdn {

// Wraps an engine tensor into a new handle (moves it).
inline sdn_tensor* new_tensor_handle(Tensor&& t) {
    auto* h = new sdn_tensor();
    h->impl = std::move(t);
    return h;
}

}  // namespace sdn
