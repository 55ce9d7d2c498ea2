// sdn_tensor_* entry points.
#include <algorithm>

#include "guard.h"

using namespace sdn;

extern "C" {

SDN_API sdn_status sdn_tensor_create(int32_t n_dims, const int64_t* dims, const float* data,
                                     sdn_tensor** out) {
    return guarded(nullptr, [&] {
        SDN_REQUIRE_ARG(out);
        *out = nullptr;
        SDN_REQUIRE_ARG(dims);
        SDN_REQUIRE(n_dims >= 1 && n_dims <= SDN_MAX_DIMS, SDN_ERR_INVALID_ARGUMENT,
                    "n_dims must be 1 to 4");
        Tensor t(std::vector<int64_t>(dims, dims + n_dims));
        if (data) std::copy(data, data + t.size(), t.data());
        *out = new_tensor_handle(std::move(t));
    });
}

SDN_API void sdn_tensor_free(sdn_tensor* tensor) { delete tensor; }

SDN_API int32_t sdn_tensor_n_dims(const sdn_tensor* tensor) {
    return tensor ? tensor->impl.n_dims() : 0;
}

SDN_API void sdn_tensor_dims(const sdn_tensor* tensor, int64_t* dims) {
    if (!dims) return;
    for (int i = 0; i < SDN_MAX_DIMS; ++i)
        dims[i] = tensor && i < tensor->impl.n_dims() ? tensor->impl.dim(i) : 1;
}

SDN_API int64_t sdn_tensor_element_count(const sdn_tensor* tensor) {
    return tensor ? tensor->impl.size() : 0;
}

SDN_API const float* sdn_tensor_data(const sdn_tensor* tensor) {
    return tensor ? tensor->impl.data() : nullptr;
}

SDN_API float* sdn_tensor_data_mut(sdn_tensor* tensor) {
    return tensor ? tensor->impl.data() : nullptr;
}

}  // extern "C"
