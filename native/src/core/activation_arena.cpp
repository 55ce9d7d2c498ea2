#include "core/activation_arena.h"

namespace sdn {

void ActivationArena::reserve(int slot, int64_t bytes) {
    if (static_cast<size_t>(slot) >= slots_.size()) slots_.resize(static_cast<size_t>(slot) + 1);
    auto& buf = slots_[static_cast<size_t>(slot)];
    if (!buf || buf->bytes() < bytes) {
        buf.reset();  // free the smaller one first: the peak is the new size, not the sum
        buf = backend_.allocate(bytes, purpose_);
    }
}

TensorView ActivationArena::take(int slot, const std::vector<int64_t>& shape) {
    TensorView probe = TensorView::make(nullptr, 0, DType::F32, shape);
    reserve(slot, probe.bytes());
    return TensorView::make(slots_[static_cast<size_t>(slot)].get(), 0, DType::F32, shape);
}

int64_t ActivationArena::bytes() const {
    int64_t total = 0;
    for (const auto& b : slots_)
        if (b) total += b->bytes();
    return total;
}

}  // namespace sdn
