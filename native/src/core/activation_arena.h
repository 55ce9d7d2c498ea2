// Scratch activations of one forward pass, taken from a backend. Slots are grow-only: a slot
// keeps its buffer between uses, so a UNet evaluation allocates on its first block and then
// reuses. A view from take() stays valid until the same slot is asked for more bytes. The
// bytes() total is what the pass planned; Context::note_scratch_bytes reports the peak.
// A backend that plans memory up front (sizes known before the first op) can size the
// slots from reserve() calls before any take().
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "backend.h"

namespace sdn {

class ActivationArena {
public:
    ActivationArena(Backend& backend, const char* purpose) : backend_(backend), purpose_(purpose) {}

    // Ensures `slot` holds at least `bytes` without handing out a view.
    void reserve(int slot, int64_t bytes);
    // A contiguous f32 view of `shape` at the start of `slot`'s buffer.
    TensorView take(int slot, const std::vector<int64_t>& shape);
    int64_t bytes() const;
    Backend& backend() { return backend_; }

private:
    Backend& backend_;
    const char* purpose_;
    std::vector<std::shared_ptr<DeviceBuffer>> slots_;
};

}  // namespace sdn
