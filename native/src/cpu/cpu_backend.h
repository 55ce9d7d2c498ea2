// The CPU behind the backend interface: buffers are 64-byte-aligned host memory, weights
// are computed with where they were loaded (the file mapping: zero-copy), and every op is
// the cpu/ops.h kernel on the context's thread pool and kernel variant, run synchronously.
#pragma once

#include <atomic>
#include <memory>

#include "core/backend.h"
#include "core/context.h"
#include "cpu/host_buffer_pool.h"
#include "cpu/host_memory.h"
#include "cpu/op_profile.h"

namespace sdn::cpu {

// Where the CPU backend's memory budget comes from: the machine (host_available_bytes, read
// through `read`) and an optional cap set by the user.
struct CpuMemoryLimits {
    // The most bytes the backend's buffers may hold at once (0: no cap). Weights are not
    // counted: the kernels read them where they were loaded (the mapped file).
    int64_t cap_bytes = 0;
    TextFileReader read = read_text_file;
};

class CpuBackend : public Backend {
public:
    // ctx provides the thread pool and kernel variant; it must outlive the backend (the
    // context owns it: see make_cpu_backend).
    explicit CpuBackend(Context& ctx, CpuMemoryLimits limits = {})
        : ctx_(ctx), limits_(std::move(limits)) {}

    std::string name() const override { return "cpu"; }
    bool host_visible() const override { return true; }
    // What the machine can still give less a reserve, bounded by the cap less the bytes the
    // backend's live buffers hold; -1 when neither is known.
    int64_t memory_budget() const override;
    // Bytes held by the buffers this backend allocated that are still alive.
    int64_t bytes_in_use() const { return in_use_->load(); }

    std::shared_ptr<DeviceBuffer> allocate(int64_t bytes, const char* purpose) override;
    void upload(const TensorView& dst, const void* host) override;
    void download(const TensorView& src, void* host) override;
    void make_resident(const std::vector<const WeightRef*>& weights,
                       const std::shared_ptr<const void>& owner) override;
    void submit() override {}
    void synchronize() override {}

    void linear(const TensorView& x, const WeightRef& w, const WeightRef* bias, const TensorView& y,
                bool accumulate) override;
    void conv2d(const TensorView& x, const WeightRef& w, const WeightRef* bias, int stride, int pad,
                const TensorView& y) override;
    void group_norm(const TensorView& x, int groups, float eps, const WeightRef* gamma,
                    const WeightRef* beta, const TensorView& y, bool silu) override;
    void layer_norm(const TensorView& x, float eps, const WeightRef* gamma, const WeightRef* beta,
                    const TensorView& y) override;
    void attention(const AttentionOp& op) override;
    void activation(Activation kind, const TensorView& x) override;
    void geglu(const TensorView& x, const TensorView& y) override;
    void add(const TensorView& a, const TensorView& b, const TensorView& y) override;
    void mul(const TensorView& a, const TensorView& b, const TensorView& y) override;
    void add_channel_bias(const TensorView& x, const TensorView& v) override;
    void upsample_nearest2x(const TensorView& x, const TensorView& y) override;
    void interpolate(const TensorView& x, const TensorView& y, InterpMode mode) override;
    void pad_zero(const TensorView& x, int64_t top, int64_t left, const TensorView& y) override;
    void concat_channels(const TensorView& a, const TensorView& b, const TensorView& y) override;
    void channels_to_tokens(const TensorView& x, const TensorView& y) override;
    void tokens_to_channels(const TensorView& tokens, const TensorView& residual,
                            const TensorView& y) override;
    void timestep_embedding(const std::vector<float>& t, float max_period,
                            const TensorView& y) override;
    void gather_rows(const WeightRef& table, const std::vector<int32_t>& ids,
                     const TensorView& y) override;
    void copy(const TensorView& src, const TensorView& dst) override;

    // The per-op timings (recorded only when SDN_CPU_PROFILE is set; see op_profile.h).
    const OpProfile& profile() const { return profile_; }

private:
    Context& ctx_;
    CpuMemoryLimits limits_;
    // Shared with the buffers, which may outlive the backend, so each can give its bytes back.
    std::shared_ptr<std::atomic<int64_t>> in_use_ = std::make_shared<std::atomic<int64_t>>(0);
    OpProfile profile_;
    // Freed large buffers, reused within a model call (cpu/host_buffer_pool.h).
    std::shared_ptr<HostBufferPool> buffer_pool_ = std::make_shared<HostBufferPool>();
};

// A CpuBackend for ctx (a BackendFactory: what every context gets unless another device is
// chosen).
std::unique_ptr<Backend> make_cpu_backend(Context& ctx);
// A CpuBackend with a user's cap on its buffers (and, for tests, another reader of the files).
std::unique_ptr<Backend> make_capped_cpu_backend(Context& ctx, CpuMemoryLimits limits);

}  // namespace sdn::cpu
