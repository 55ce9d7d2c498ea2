// A heap array aligned to 64 bytes (one cache line, one AVX-512 register), for SIMD kernels.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <utility>

namespace sdn {

template <typename T>
class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(size_t n) { resize(n); }
    ~AlignedBuffer() { std::free(ptr_); }
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
        std::free(ptr_);
        ptr_ = nullptr;
        size_ = 0;
        if (n == 0) return;
        size_t bytes = ((n * sizeof(T) + 63) / 64) * 64;
        ptr_ = static_cast<T*>(std::aligned_alloc(64, bytes));
        if (!ptr_) throw std::bad_alloc();
        size_ = n;
    }

    T* data() { return ptr_; }
    const T* data() const { return ptr_; }
    size_t size() const { return size_; }
    T& operator[](size_t i) { return ptr_[i]; }
    const T& operator[](size_t i) const { return ptr_[i]; }

private:
    T* ptr_ = nullptr;
    size_t size_ = 0;
};

}  // namespace sdn
