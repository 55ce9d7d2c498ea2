// Memory a backend computes in, and tensors over it. A DeviceBuffer is one allocation on one
// backend (host memory for the CPU, device memory a GPU's host may not touch). A TensorView
// names a region of a buffer with its element type, shape and strides; a DeviceTensor owns
// its buffer. Model code holds these and never the bytes behind them: reading or writing the
// contents goes through Backend::upload / Backend::download at node boundaries.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "element_type.h"

namespace sdn {

class Backend;

class DeviceBuffer {
public:
    virtual ~DeviceBuffer() = default;
    virtual int64_t bytes() const = 0;
    // The backend that allocated it; ops refuse buffers of another backend.
    virtual const Backend& owner() const = 0;
    // The host address of the first byte when the host may touch this memory directly (the
    // CPU backend, a mapped file); null for device-only memory. Only backends use it.
    virtual void* host_data() const = 0;
};

// A region of a buffer: element type, up to 4 dimensions (outermost first) and strides in
// elements. Views from make() and the helpers below are contiguous (row-major); ops require
// contiguous views unless their comment says otherwise (attention takes a token stride).
// For block-quantized types a stride counts elements of the row, which is whole blocks.
struct TensorView {
    DeviceBuffer* buffer = nullptr;
    int64_t offset = 0;  // bytes from the start of the buffer
    DType type = DType::F32;
    int n_dims = 0;
    std::array<int64_t, 4> shape{};
    std::array<int64_t, 4> stride{};

    // A contiguous view of `shape` starting `offset` bytes into `buffer`.
    static TensorView make(DeviceBuffer* buffer, int64_t offset, DType type,
                           const std::vector<int64_t>& shape);

    int64_t dim(int i) const { return shape[static_cast<size_t>(i)]; }
    int64_t elements() const;
    // Bytes a contiguous view of this shape and type occupies.
    int64_t bytes() const;
    bool contiguous() const;
    bool valid() const { return buffer != nullptr && n_dims > 0; }
    std::vector<int64_t> shape_vector() const;
    std::string shape_string() const;

    // The same bytes seen with another shape of equal element count (contiguous views only).
    TensorView reshaped(const std::vector<int64_t>& new_shape) const;
    // `count` consecutive entries of the outermost dimension starting at `first`.
    TensorView slice(int64_t first, int64_t count) const;
    // Contiguous columns [first, first + count) of the last dimension: a view whose token
    // stride (stride[n_dims-2]) stays that of this view. Used for q/k/v slices of one fused
    // projection.
    TensorView columns(int64_t first, int64_t count) const;
};

// A tensor that owns its buffer (shared, so views of it may be copied freely while it lives).
class DeviceTensor {
public:
    DeviceTensor() = default;
    DeviceTensor(std::shared_ptr<DeviceBuffer> buffer, DType type,
                 const std::vector<int64_t>& shape);

    const TensorView& view() const { return view_; }
    operator const TensorView&() const { return view_; }
    int64_t dim(int i) const { return view_.dim(i); }
    int64_t elements() const { return view_.elements(); }
    bool empty() const { return !buffer_; }
    std::string shape_string() const { return view_.shape_string(); }
    void release() {
        buffer_.reset();
        view_ = TensorView{};
    }

private:
    std::shared_ptr<DeviceBuffer> buffer_;
    TensorView view_;
};

}  // namespace sdn
