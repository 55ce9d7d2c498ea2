#include "cpu/host_buffer_pool.h"

#include <new>
#include <utility>

namespace sdn::cpu {

AlignedBuffer<float> HostBufferPool::take(size_t floats) {
    if (floats >= kMinFloats) {
        std::vector<AlignedBuffer<float>> dropped;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            holding_ = true;
            for (size_t i = 0; i < free_.size(); ++i) {
                if (free_[i].size() != floats) continue;
                AlignedBuffer<float> hit = std::move(free_[i]);
                free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
                return hit;
            }
            dropped.swap(free_);
        }
        // `dropped` is released here, before the new buffer is mapped.
    }
    return AlignedBuffer<float>(floats);
}

void HostBufferPool::give(AlignedBuffer<float>&& buffer) noexcept {
    if (buffer.size() < kMinFloats) return;  // released as `buffer` goes
    std::lock_guard<std::mutex> lock(mutex_);
    if (!holding_) return;
    // Called from a buffer's destructor: when the list cannot grow, the buffer is simply
    // released (push_back leaves it untouched when it throws).
    try {
        free_.push_back(std::move(buffer));
    } catch (const std::bad_alloc&) {
    }
}

void HostBufferPool::drop() {
    std::vector<AlignedBuffer<float>> dropped;
    std::lock_guard<std::mutex> lock(mutex_);
    dropped.swap(free_);
    holding_ = false;
}

size_t HostBufferPool::pooled() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return free_.size();
}

}  // namespace sdn::cpu
