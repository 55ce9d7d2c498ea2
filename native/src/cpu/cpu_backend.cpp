// The CPU backend's memory side: host buffers, copies at node boundaries, residency (the
// mapped weights themselves) and type conversion.
#include "cpu/cpu_backend.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "core/aligned_buffer.h"
#include "core/half.h"
#include "cpu/host_buffer_pool.h"
#include "cpu/host_views.h"

namespace sdn::cpu {

namespace {

class HostBuffer final : public DeviceBuffer {
public:
    HostBuffer(const Backend& owner, int64_t bytes, std::shared_ptr<HostBufferPool> pool,
               std::shared_ptr<std::atomic<int64_t>> in_use)
        : owner_(owner), bytes_(bytes), pool_(std::move(pool)),
          data_(pool_->take(static_cast<size_t>((bytes + 63) / 64) * 16)), in_use_(std::move(in_use)) {
        in_use_->fetch_add(bytes_);
    }
    ~HostBuffer() override {
        in_use_->fetch_sub(bytes_);
        pool_->give(std::move(data_));
    }
    int64_t bytes() const override { return bytes_; }
    const Backend& owner() const override { return owner_; }
    void* host_data() const override { return const_cast<float*>(data_.data()); }

private:
    const Backend& owner_;
    int64_t bytes_;
    std::shared_ptr<HostBufferPool> pool_;
    AlignedBuffer<float> data_;  // whole 64-byte lines so SIMD tails stay inside
    std::shared_ptr<std::atomic<int64_t>> in_use_;
};

float load_as_f32(DType t, const char* p, int64_t i) {
    switch (t) {
        case DType::F16: {
            uint16_t h;
            std::memcpy(&h, p + i * 2, 2);
            return f16_to_f32(h);
        }
        case DType::BF16: {
            uint16_t h;
            std::memcpy(&h, p + i * 2, 2);
            return bf16_to_f32(h);
        }
        default: {
            float f;
            std::memcpy(&f, p + i * 4, 4);
            return f;
        }
    }
}

void store_from_f32(DType t, char* p, int64_t i, float f) {
    if (t == DType::F16) {
        const uint16_t h = f32_to_f16(f);
        std::memcpy(p + i * 2, &h, 2);
    } else if (t == DType::BF16) {
        const uint16_t h = f32_to_bf16(f);
        std::memcpy(p + i * 2, &h, 2);
    } else {
        std::memcpy(p + i * 4, &f, 4);
    }
}

bool convertible(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

}  // namespace

std::shared_ptr<DeviceBuffer> CpuBackend::allocate(int64_t bytes, const char* purpose) {
    SDN_REQUIRE(bytes > 0, SDN_ERR_INVALID_ARGUMENT,
                std::string("cpu: empty allocation for ") + purpose);
    try {
        return std::make_shared<HostBuffer>(*this, bytes, buffer_pool_, in_use_);
    } catch (const std::bad_alloc&) {
        fail(SDN_ERR_OUT_OF_MEMORY, "cpu: out of memory allocating " + std::to_string(bytes >> 20) +
                                        " MiB for " + purpose);
    }
}

void CpuBackend::upload(const TensorView& dst, const void* host) {
    char* p = host_bytes(*this, dst, "upload");
    SDN_REQUIRE(dst.contiguous(), SDN_ERR_INVALID_ARGUMENT, "upload: strided destination");
    std::memcpy(p, host, static_cast<size_t>(dst.bytes()));
}

void CpuBackend::download(const TensorView& src, void* host) {
    const char* p = host_bytes(*this, src, "download");
    SDN_REQUIRE(src.contiguous(), SDN_ERR_INVALID_ARGUMENT, "download: strided source");
    std::memcpy(host, p, static_cast<size_t>(src.bytes()));
    // Results leaving the backend end a model call: keep no freed buffers past it.
    buffer_pool_->drop();
}

void CpuBackend::make_resident(const std::vector<const WeightRef*>& weights,
                               const std::shared_ptr<const void>& owner) {
    // Nothing to upload: the kernels read the stored (mapped) bytes in place, and each
    // kernel checks the type it is given as it reads it.
}

void CpuBackend::copy(const TensorView& src, const TensorView& dst) {
    const char* s = host_bytes(*this, src, "copy");
    char* d = host_bytes(*this, dst, "copy");
    require_shape(src.elements() == dst.elements(), "copy", src, dst);
    SDN_REQUIRE(
        src.contiguous() && dst.contiguous() && convertible(src.type) && convertible(dst.type),
        SDN_ERR_INVALID_ARGUMENT, "copy: contiguous f32/f16/bf16 tensors only");
    if (src.type == dst.type) {
        std::memmove(d, s, static_cast<size_t>(src.bytes()));
        return;
    }
    const int64_t n = src.elements();
    ctx_.pool().parallel_range(n, [&](int64_t begin, int64_t end, int) {
        for (int64_t i = begin; i < end; ++i)
            store_from_f32(dst.type, d, i, load_as_f32(src.type, s, i));
    });
}

int64_t CpuBackend::memory_budget() const {
    int64_t budget = -1;
    const int64_t available = host_available_bytes(limits_.read);
    if (available >= 0) budget = std::max<int64_t>(0, available - host_memory_reserve(available));
    if (limits_.cap_bytes > 0) {
        const int64_t under_cap = std::max<int64_t>(0, limits_.cap_bytes - bytes_in_use());
        budget = budget < 0 ? under_cap : std::min(budget, under_cap);
    }
    return budget;
}

std::unique_ptr<Backend> make_cpu_backend(Context& ctx) {
    return std::make_unique<CpuBackend>(ctx);
}

std::unique_ptr<Backend> make_capped_cpu_backend(Context& ctx, CpuMemoryLimits limits) {
    return std::make_unique<CpuBackend>(ctx, std::move(limits));
}

}  // namespace sdn::cpu
