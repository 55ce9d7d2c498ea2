// Moving test data onto a context's backend and back: model code takes DeviceTensors, tests
// build their inputs and check their outputs as host Tensors.
#pragma once

#include "core/backend.h"
#include "core/context.h"
#include "core/tensor.h"

namespace sdn_test {

inline sdn::DeviceTensor on_backend(sdn::Context& ctx, const sdn::Tensor& host) {
    sdn::DeviceTensor t = ctx.backend().tensor(host.shape(), "test input");
    ctx.backend().upload(t, host.data());
    return t;
}

inline sdn::Tensor on_host(sdn::Context& ctx, const sdn::TensorView& device) {
    sdn::Tensor t(device.shape_vector());
    ctx.backend().download(device, t.data());
    return t;
}

}  // namespace sdn_test
