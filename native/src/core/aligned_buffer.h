// A heap array aligned to 64 bytes (one cache line, one AVX-512 register), for SIMD kernels.
// Large arrays (activations, scratch) are mapped straight from the OS and unmapped when freed:
// through malloc they would land in per-thread arenas once glibc raises its dynamic mmap
// threshold, and freed arena memory is not returned, so RSS would creep up with every job.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>

#include "live_objects.h"

namespace sdn {

template <typename T>
class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(size_t n) { resize(n); }
    ~AlignedBuffer() { release(); }
    AlignedBuffer(const AlignedBuffer& o) { *this = o; }
    AlignedBuffer& operator=(const AlignedBuffer& o) {
        if (this != &o) {
            resize(o.size_);
            for (size_t i = 0; i < size_; ++i) ptr_[i] = o.ptr_[i];
        }
        return *this;
    }
    AlignedBuffer(AlignedBuffer&& o) noexcept
        : ptr_(std::exchange(o.ptr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
    AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
        std::swap(ptr_, o.ptr_);
        std::swap(size_, o.size_);
        return *this;
    }

    // Contents are not preserved.
    void resize(size_t n) {
        if (n == size_) return;
        release();
        if (n == 0) return;
        if (n > (~size_t(0) - 63) / sizeof(T)) throw std::bad_alloc();
        size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
        if (bytes >= kMapThreshold) {
            void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) throw std::bad_alloc();
            ptr_ = static_cast<T*>(p);
        } else {
            ptr_ = static_cast<T*>(std::aligned_alloc(64, bytes));
            if (!ptr_) throw std::bad_alloc();
        }
        size_ = n;
        count_buffer(static_cast<int64_t>(bytes), +1);
    }

    T* data() { return ptr_; }
    const T* data() const { return ptr_; }
    size_t size() const { return size_; }
    T& operator[](size_t i) { return ptr_[i]; }
    const T& operator[](size_t i) const { return ptr_[i]; }

private:
    static constexpr size_t kMapThreshold = size_t(256) << 10;

    size_t byte_size() const { return ((size_ * sizeof(T) + 63) / 64) * 64; }

    void release() {
        if (ptr_) {
            if (byte_size() >= kMapThreshold) ::munmap(ptr_, byte_size());
            else std::free(ptr_);
            count_buffer(static_cast<int64_t>(byte_size()), -1);
        }
        ptr_ = nullptr;
        size_ = 0;
    }

    T* ptr_ = nullptr;
    size_t size_ = 0;
};

}  // namespace sdn
