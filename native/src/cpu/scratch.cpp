#include "cpu/scratch.h"

#include "core/aligned_buffer.h"

namespace sdn::cpu {

namespace {
thread_local AlignedBuffer<float> buffers[static_cast<int>(ScratchSlot::Count)];
}

float* thread_scratch(ScratchSlot slot, size_t floats) {
    auto& buf = buffers[static_cast<int>(slot)];
    if (buf.size() < floats) {
        // Grow by at least half again so a slowly growing request does not reallocate each time.
        size_t grown = buf.size() + buf.size() / 2;
        buf.resize(floats > grown ? floats : grown);
    }
    return buf.data();
}

size_t thread_scratch_bytes() {
    size_t total = 0;
    for (auto& b : buffers) total += b.size() * sizeof(float);
    return total;
}

}  // namespace sdn::cpu
