// The structs behind the opaque handles of sdnative.h. Model handles are defined by their
// owners in model/ and are only forward-declared here.
#pragma once

#include "core/context.h"
#include "core/live_objects.h"
#include "core/tensor.h"
#include "cpu/cpu_backend.h"

struct sdn_context : sdn::LiveObject {
    // The CPU computes for every context until device selection offers another backend.
    sdn_context(int threads, sdn_cpu_variant variant)
        : impl(threads, variant, &sdn::cpu::make_cpu_backend) {}
    sdn::Context impl;
};

struct sdn_tensor : sdn::LiveObject {
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
