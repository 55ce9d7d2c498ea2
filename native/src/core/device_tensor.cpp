#include "core/device_tensor.h"

#include "core/error.h"

namespace sdn {

namespace {

int64_t type_bytes(DType t, int64_t n) {
    const int64_t bytes = dtype_row_bytes(t, n);
    SDN_REQUIRE(bytes >= 0, SDN_ERR_INVALID_ARGUMENT,
                std::string("tensor view: ") + std::to_string(n) + " elements are not whole " +
                    dtype_traits(t).name + " blocks");
    return bytes;
}

}  // namespace

TensorView TensorView::make(DeviceBuffer* buffer, int64_t offset, DType type,
                            const std::vector<int64_t>& shape) {
    SDN_REQUIRE(!shape.empty() && shape.size() <= 4, SDN_ERR_INVALID_ARGUMENT,
                "tensor view must have 1 to 4 dimensions");
    TensorView v;
    v.buffer = buffer;
    v.offset = offset;
    v.type = type;
    v.n_dims = static_cast<int>(shape.size());
    int64_t n = 1;
    for (int i = v.n_dims - 1; i >= 0; --i) {
        const int64_t d = shape[static_cast<size_t>(i)];
        SDN_REQUIRE(d > 0 && d <= (int64_t(1) << 40) && n <= (int64_t(1) << 40) / d,
                    SDN_ERR_INVALID_ARGUMENT, "tensor view dimension out of range");
        v.shape[static_cast<size_t>(i)] = d;
        v.stride[static_cast<size_t>(i)] = n;
        n *= d;
    }
    if (buffer) {
        SDN_REQUIRE(offset >= 0 && offset + v.bytes() <= buffer->bytes(), SDN_ERR_INVALID_ARGUMENT,
                    "tensor view " + v.shape_string() + " runs past the end of its buffer");
    }
    return v;
}

int64_t TensorView::elements() const {
    int64_t n = 1;
    for (int i = 0; i < n_dims; ++i) n *= shape[static_cast<size_t>(i)];
    return n_dims ? n : 0;
}

int64_t TensorView::bytes() const { return type_bytes(type, elements()); }

bool TensorView::contiguous() const {
    int64_t expect = 1;
    for (int i = n_dims - 1; i >= 0; --i) {
        if (shape[static_cast<size_t>(i)] != 1 && stride[static_cast<size_t>(i)] != expect)
            return false;
        expect *= shape[static_cast<size_t>(i)];
    }
    return true;
}

std::vector<int64_t> TensorView::shape_vector() const {
    return std::vector<int64_t>(shape.begin(), shape.begin() + n_dims);
}

std::string TensorView::shape_string() const {
    std::string s = "[";
    for (int i = 0; i < n_dims; ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[static_cast<size_t>(i)]);
    }
    return s + "]";
}

TensorView TensorView::reshaped(const std::vector<int64_t>& new_shape) const {
    SDN_REQUIRE(contiguous(), SDN_ERR_INVALID_ARGUMENT, "reshape of a strided tensor view");
    TensorView v = make(nullptr, 0, type, new_shape);
    SDN_REQUIRE(v.elements() == elements(), SDN_ERR_INVALID_ARGUMENT,
                "reshape " + shape_string() + " -> " + v.shape_string() + " changes the size");
    v.buffer = buffer;
    v.offset = offset;
    return v;
}

TensorView TensorView::slice(int64_t first, int64_t count) const {
    SDN_REQUIRE(n_dims > 0 && first >= 0 && count > 0 && first + count <= shape[0],
                SDN_ERR_INVALID_ARGUMENT, "slice outside tensor view " + shape_string());
    TensorView v = *this;
    v.shape[0] = count;
    v.offset = offset + type_bytes(type, first * stride[0]);
    return v;
}

TensorView TensorView::columns(int64_t first, int64_t count) const {
    const size_t last = static_cast<size_t>(n_dims - 1);
    SDN_REQUIRE(n_dims > 0 && first >= 0 && count > 0 && first + count <= shape[last],
                SDN_ERR_INVALID_ARGUMENT, "columns outside tensor view " + shape_string());
    TensorView v = *this;
    v.shape[last] = count;
    v.offset = offset + type_bytes(type, first);
    return v;
}

DeviceTensor::DeviceTensor(std::shared_ptr<DeviceBuffer> buffer, DType type,
                           const std::vector<int64_t>& shape)
    : buffer_(std::move(buffer)) {
    view_ = TensorView::make(buffer_.get(), 0, type, shape);
}

}  // namespace sdn
