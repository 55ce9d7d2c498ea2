// How the CPU backend reaches the host memory behind a TensorView, with the checks that turn
// a misuse (a view of another backend's buffer, a strided or non-f32 activation, a shape
// that does not fit the op) into an error naming the op instead of a wild read.
#pragma once

#include <string>

#include "core/backend.h"
#include "core/error.h"

namespace sdn::cpu {

// The view's first byte in host memory; its buffer must be host-visible and this backend's.
inline char* host_bytes(const Backend& self, const TensorView& v, const char* op) {
    SDN_REQUIRE(v.valid(), SDN_ERR_INVALID_ARGUMENT, std::string(op) + ": missing tensor");
    SDN_REQUIRE(&v.buffer->owner() == &self, SDN_ERR_INVALID_ARGUMENT,
                std::string(op) + ": tensor lives on backend " + v.buffer->owner().name() +
                    ", not " + self.name());
    return static_cast<char*>(v.buffer->host_data()) + v.offset;
}

// A contiguous f32 activation.
inline float* host_f32(const Backend& self, const TensorView& v, const char* op) {
    char* p = host_bytes(self, v, op);
    SDN_REQUIRE(v.type == DType::F32 && v.contiguous(), SDN_ERR_INVALID_ARGUMENT,
                std::string(op) + ": activations must be contiguous f32, got " + v.shape_string());
    return reinterpret_cast<float*>(p);
}

inline void require_shape(bool ok, const char* op, const TensorView& a, const TensorView& b) {
    SDN_REQUIRE(ok, SDN_ERR_INVALID_ARGUMENT,
                std::string(op) + ": shapes " + a.shape_string() + " and " + b.shape_string() +
                    " do not fit");
}

}  // namespace sdn::cpu
