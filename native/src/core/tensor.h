// A dense float32 tensor (row-major, up to 4 dims) used for activations and for the
// latents, images and conditionings that cross the C API.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "aligned_buffer.h"
#include "error.h"

namespace sdn {

class Tensor {
public:
    Tensor() = default;
    explicit Tensor(std::vector<int64_t> shape) { reset(std::move(shape)); }

    // Reallocates (zero-filled) for a new shape. Dimensions must be positive and the element
    // count must fit comfortably in memory arithmetic.
    void reset(std::vector<int64_t> shape) {
        SDN_REQUIRE(!shape.empty() && shape.size() <= 4, SDN_ERR_INVALID_ARGUMENT,
                    "tensor must have 1 to 4 dimensions");
        int64_t n = 1;
        for (int64_t d : shape) {
            SDN_REQUIRE(d > 0 && d <= (int64_t(1) << 40), SDN_ERR_INVALID_ARGUMENT,
                        "tensor dimension out of range");
            SDN_REQUIRE(n <= (int64_t(1) << 40) / d, SDN_ERR_INVALID_ARGUMENT,
                        "tensor too large");
            n *= d;
        }
        shape_ = std::move(shape);
        data_.resize(static_cast<size_t>(n));
        std::memset(data_.data(), 0, static_cast<size_t>(n) * sizeof(float));
    }

    const std::vector<int64_t>& shape() const { return shape_; }
    int64_t dim(int i) const { return shape_.at(static_cast<size_t>(i)); }
    int n_dims() const { return static_cast<int>(shape_.size()); }
    int64_t size() const { return static_cast<int64_t>(data_.size()); }
    bool empty() const { return data_.size() == 0; }
    float* data() { return data_.data(); }
    const float* data() const { return data_.data(); }

    std::string shape_string() const {
        std::string s = "[";
        for (size_t i = 0; i < shape_.size(); ++i) {
            if (i) s += ", ";
            s += std::to_string(shape_[i]);
        }
        return s + "]";
    }

private:
    std::vector<int64_t> shape_;
    AlignedBuffer<float> data_;
};

}  // namespace sdn
