// Large CPU activation buffers kept for reuse within one model call. The VAE allocates a
// fresh tensor per op (hundreds of MiB at 512x512 and above); a fresh mapping is faulted in
// and zeroed page by page by the kernel and unmapped again when freed, which cost about a
// fifth of a 512x512 decode's CPU time. A freed buffer waits here for the next allocation of
// the same size instead.
//
// Peak memory stays what it was without the pool: an allocation the pool cannot serve first
// drops every buffer the pool holds, so cached buffers never sit beside a new mapping. Nothing
// is held between model calls: the backend drops the pool when results leave it (download),
// and buffers freed after that (the call's last tensors going out of scope) are released at
// once until the next allocation starts pooling again.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include "core/aligned_buffer.h"

namespace sdn::cpu {

class HostBufferPool {
public:
    // Buffers of at least this many floats are pooled; smaller ones come from the heap, where
    // reuse is cheap already.
    static constexpr size_t kMinFloats = size_t(1) << 20;  // 4 MiB

    // A buffer of exactly `floats` floats (contents undefined): a pooled one when one of that
    // size is free, else a new one, after the pool has dropped what it holds.
    AlignedBuffer<float> take(size_t floats);
    // Takes back a buffer its user is done with (released at once when small, or when the
    // pool was dropped since the last take).
    void give(AlignedBuffer<float>&& buffer) noexcept;
    // Releases every pooled buffer, and every buffer given back before the next take.
    void drop();
    size_t pooled() const;

private:
    mutable std::mutex mutex_;
    std::vector<AlignedBuffer<float>> free_;
    bool holding_ = true;  // false from a drop until the next take
};

}  // namespace sdn::cpu
