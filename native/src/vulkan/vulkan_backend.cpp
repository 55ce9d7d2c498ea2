#include "vulkan/vulkan_backend.h"

#include <map>
#include <vector>

#include "core/context.h"
#include "core/error.h"
#include "vulkan/command_batch.h"
#include "vulkan/vulkan_ops.h"

namespace sdn::vk {

namespace {

class VulkanBackend;

// A tensor's buffer. Model code may drop a tensor right after recording the ops that use it;
// the memory must outlive that recorded work, so a dropped buffer goes back to the backend,
// which frees it after the next submit.
class VulkanDeviceBuffer : public DeviceBuffer {
public:
    VulkanDeviceBuffer(VulkanBackend& owner, VulkanDevice& device, int64_t bytes,
                       const char* purpose)
        : owner_(owner),
          buffer_(std::make_unique<VulkanBuffer>(device, static_cast<uint64_t>(bytes),
                                                 purpose ? purpose : "a tensor")) {}
    ~VulkanDeviceBuffer() override;
    int64_t bytes() const override { return static_cast<int64_t>(buffer_->size()); }
    const Backend& owner() const override;
    void* host_data() const override { return nullptr; }
    VulkanBuffer& buffer() { return *buffer_; }

private:
    VulkanBackend& owner_;
    std::unique_ptr<VulkanBuffer> buffer_;
};

struct ResidentWeight {
    VulkanWeight weight;
    std::weak_ptr<const void> owner;
    bool unowned = false;  // made resident without an owner: kept as long as the backend
    bool expired() const { return !unowned && owner.expired(); }
};

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

class VulkanBackend : public Backend {
public:
    VulkanBackend(const DeviceOptions& options, std::function<bool()> is_cancelled)
        : device_(options), batch_(device_) {
        batch_.set_cancel_check(std::move(is_cancelled));
    }
    ~VulkanBackend() override {
        try {
            batch_.set_cancel_check({});
            batch_.submit();
        } catch (...) {
        }
    }

    std::string name() const override {
        return "vulkan:" + std::to_string(device_.info().index) + " " + device_.info().name;
    }
    bool host_visible() const override { return false; }
    int64_t memory_budget() const override {
        return static_cast<int64_t>(device_.memory_budget() - device_.memory_in_use());
    }

    std::shared_ptr<DeviceBuffer> allocate(int64_t bytes, const char* purpose) override {
        try {
            return std::make_shared<VulkanDeviceBuffer>(*this, device_, bytes, purpose);
        } catch (const Error& e) {
            // Buffers dropped since the last submit are held for the work recorded on them;
            // submitting frees them, and the allocation may fit then (the VAE's tiles are
            // sized for the tensors alive at once, not for a block's whole recording).
            if (e.status() != SDN_ERR_OUT_OF_MEMORY || retired_.empty()) throw;
            flush();
            return std::make_shared<VulkanDeviceBuffer>(*this, device_, bytes, purpose);
        }
    }
    void upload(const TensorView& dst, const void* host) override {
        VulkanBuffer& b = buffer_of(dst, "upload");
        SDN_REQUIRE(dst.contiguous(), SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan upload: the view is not contiguous");
        flush();  // recorded work may still read the old contents
        b.upload(host, static_cast<uint64_t>(dst.bytes()), static_cast<uint64_t>(dst.offset));
    }
    void download(const TensorView& src, void* host) override {
        VulkanBuffer& b = buffer_of(src, "download");
        SDN_REQUIRE(src.contiguous(), SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan download: the view is not contiguous");
        flush();
        b.download(host, static_cast<uint64_t>(src.bytes()), static_cast<uint64_t>(src.offset));
    }
    void make_resident(const std::vector<const WeightRef*>& weights,
                       const std::shared_ptr<const void>& owner) override {
        for (auto it = resident_.begin(); it != resident_.end();)
            it = it->second.expired() ? resident_.erase(it) : std::next(it);
        for (const WeightRef* w : weights) {
            if (!w || resident_.count(w->data)) continue;
            resident_[w->data] = {
                VulkanWeight::upload(device_, *w, "a weight of shape " + shape_text(w->shape)),
                owner, owner == nullptr};
        }
    }
    void submit() override { flush(); }
    // A dropped buffer: freed now when no recorded work can use it, else after the submit.
    void retire(std::unique_ptr<VulkanBuffer> buffer) {
        if (batch_.has_pending()) retired_.push_back(std::move(buffer));
    }
    void synchronize() override { flush(); }

    void linear(const TensorView& x, const WeightRef& w, const WeightRef* bias, const TensorView& y,
                bool accumulate) override {
        const VulkanWeight& vw = resident(w);
        const int64_t K = x.dim(x.n_dims - 1), M = x.elements() / K;
        SDN_REQUIRE(y.elements() == M * vw.rows, SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan linear: y " + y.shape_string() + " does not match x " +
                        x.shape_string() + " times W " + shape_text(w.shape));
        vk::linear(batch_, f32(x), M, K, vw, bias ? &resident(*bias) : nullptr, f32(y), accumulate);
    }
    void conv2d(const TensorView& x, const WeightRef& w, const WeightRef* bias, int stride, int pad,
                const TensorView& y) override {
        SDN_REQUIRE(
            x.n_dims == 4 && y.n_dims == 4 && y.dim(0) == x.dim(0) && y.dim(1) == w.shape.at(0),
            SDN_ERR_INVALID_ARGUMENT,
            "Vulkan conv2d: x " + x.shape_string() + ", y " + y.shape_string() + ", w " +
                shape_text(w.shape));
        const int64_t k = w.shape.size() == 4 ? w.shape[2] : 0;
        SDN_REQUIRE(y.dim(2) == (x.dim(2) + 2 * pad - k) / stride + 1 &&
                        y.dim(3) == (x.dim(3) + 2 * pad - k) / stride + 1,
                    SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan conv2d: y " + y.shape_string() + " is not the output size");
        vk::conv2d(batch_, f32(x), x.dim(0), x.dim(1), x.dim(2), x.dim(3), resident(w),
                   bias ? &resident(*bias) : nullptr, stride, pad, f32(y));
    }
    void group_norm(const TensorView& x, int groups, float eps, const WeightRef* gamma,
                    const WeightRef* beta, const TensorView& y, bool silu) override {
        same_elements(x, y, "group_norm");
        const int64_t B = x.dim(0), C = x.dim(1);
        vk::group_norm(batch_, f32(x), B, C, x.elements() / (B * C), groups, eps, optional(gamma),
                       optional(beta), f32(y), silu);
    }
    void layer_norm(const TensorView& x, float eps, const WeightRef* gamma, const WeightRef* beta,
                    const TensorView& y) override {
        same_elements(x, y, "layer_norm");
        const int64_t dim = x.dim(x.n_dims - 1);
        vk::layer_norm(batch_, f32(x), x.elements() / dim, dim, eps, optional(gamma),
                       optional(beta), f32(y));
    }
    void attention(const AttentionOp& op) override {
        const TensorView* views[] = {&op.q, &op.k, &op.v, &op.out};
        for (const TensorView* v : views)
            SDN_REQUIRE(v->n_dims == 3 && v->stride[2] == 1 && v->dim(2) == op.q.dim(2),
                        SDN_ERR_INVALID_ARGUMENT,
                        "Vulkan attention: q, k, v and out must be [B, N, heads*head_dim] with "
                        "contiguous rows");
        SDN_REQUIRE(op.heads > 0 && op.q.dim(2) % op.heads == 0, SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan attention: width not divisible by heads");
        AttentionArgs a{strided(op.q),    strided(op.k),  strided(op.v),
                        strided(op.out),  op.q.dim(0),    op.q.dim(1),
                        op.k.dim(1),      op.heads,       op.q.dim(2) / op.heads,
                        op.q.stride[1],   op.k.stride[1], op.v.stride[1],
                        op.out.stride[1], op.scale,       op.causal};
        vk::attention(batch_, a);
    }
    void activation(sdn::Activation kind, const TensorView& x) override {
        vk::activation(batch_, f32(x), x.elements(), kind);
    }
    void geglu(const TensorView& x, const TensorView& y) override {
        const int64_t d = y.dim(y.n_dims - 1);
        SDN_REQUIRE(
            x.elements() == 2 * y.elements() && x.dim(x.n_dims - 1) == 2 * d,
            SDN_ERR_INVALID_ARGUMENT,
            "Vulkan geglu: x " + x.shape_string() + " is not [rows, 2d] for y " + y.shape_string());
        vk::geglu(batch_, f32(x), y.elements() / d, d, f32(y));
    }
    void add(const TensorView& a, const TensorView& b, const TensorView& y) override {
        binary(a, b, y, false);
    }
    void mul(const TensorView& a, const TensorView& b, const TensorView& y) override {
        binary(a, b, y, true);
    }
    void add_channel_bias(const TensorView& x, const TensorView& v) override {
        const int64_t B = x.dim(0), C = x.dim(1);
        SDN_REQUIRE(v.elements() == B * C, SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan add_channel_bias: v " + v.shape_string() + " is not [B, C] of x " +
                        x.shape_string());
        vk::add_channel_bias(batch_, f32(x), f32(v), B, C, x.elements() / (B * C));
    }
    void upsample_nearest2x(const TensorView& x, const TensorView& y) override {
        SDN_REQUIRE(
            x.n_dims == 4 && y.elements() == 4 * x.elements(), SDN_ERR_INVALID_ARGUMENT,
            "Vulkan upsample: y " + y.shape_string() + " is not twice x " + x.shape_string());
        vk::upsample_nearest2x(batch_, f32(x), x.dim(0), x.dim(1), x.dim(2), x.dim(3), f32(y));
    }
    void interpolate(const TensorView& x, const TensorView& y, InterpMode mode) override {
        SDN_REQUIRE(x.n_dims == 4 && y.n_dims == 4 && x.dim(0) == y.dim(0) && x.dim(1) == y.dim(1),
                    SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan interpolate: x " + x.shape_string() + ", y " + y.shape_string());
        vk::interpolate(batch_, f32(x), x.dim(0) * x.dim(1), x.dim(2), x.dim(3), f32(y), y.dim(2),
                        y.dim(3), mode);
    }
    void pad_zero(const TensorView& x, int64_t top, int64_t left, const TensorView& y) override {
        SDN_REQUIRE(x.n_dims == 4 && y.n_dims == 4 && x.dim(0) == y.dim(0) && x.dim(1) == y.dim(1),
                    SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan pad_zero: x " + x.shape_string() + ", y " + y.shape_string());
        vk::pad_zero(batch_, f32(x), x.dim(0) * x.dim(1), x.dim(2), x.dim(3), top, left, f32(y),
                     y.dim(2), y.dim(3));
    }
    void concat_channels(const TensorView& a, const TensorView& b, const TensorView& y) override {
        const int64_t B = a.dim(0), C1 = a.dim(1), C2 = b.dim(1), HW = a.elements() / (B * C1);
        SDN_REQUIRE(b.elements() == B * C2 * HW && y.elements() == B * (C1 + C2) * HW,
                    SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan concat: a " + a.shape_string() + ", b " + b.shape_string() + ", y " +
                        y.shape_string());
        vk::concat_channels(batch_, f32(a), C1, f32(b), C2, B, HW, f32(y));
    }
    void channels_to_tokens(const TensorView& x, const TensorView& y) override {
        same_elements(x, y, "channels_to_tokens");
        const int64_t B = x.dim(0), C = x.dim(1);
        vk::transpose(batch_, f32(x), B, C, x.elements() / (B * C), f32(y));
    }
    void tokens_to_channels(const TensorView& tokens, const TensorView& residual,
                            const TensorView& y) override {
        same_elements(tokens, y, "tokens_to_channels");
        const int64_t B = tokens.dim(0), C = tokens.dim(tokens.n_dims - 1);
        DevPtr r;
        if (residual.buffer) {
            same_elements(residual, y, "tokens_to_channels residual");
            r = f32(residual);
        }
        vk::transpose(batch_, f32(tokens), B, tokens.elements() / (B * C), C, f32(y), r);
    }
    void timestep_embedding(const std::vector<float>& t, float max_period,
                            const TensorView& y) override {
        SDN_REQUIRE(y.n_dims == 2 && static_cast<int64_t>(t.size()) == y.dim(0),
                    SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan timestep_embedding: y " + y.shape_string() + " for " +
                        std::to_string(t.size()) + " steps");
        const VulkanBuffer& tb = host_argument(t.data(), t.size() * 4, "timesteps");
        vk::timestep_embedding(batch_, {&tb, 0}, y.dim(0), y.dim(1), f32(y), max_period);
    }
    void gather_rows(const WeightRef& table, const std::vector<int32_t>& ids,
                     const TensorView& y) override {
        const VulkanWeight& vt = resident(table);
        SDN_REQUIRE(y.elements() == static_cast<int64_t>(ids.size()) * vt.row_elems,
                    SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan gather_rows: y " + y.shape_string() + " for " +
                        std::to_string(ids.size()) + " ids");
        if (ids.empty()) return;
        const VulkanBuffer& ib = host_argument(ids.data(), ids.size() * 4, "token ids");
        vk::gather_rows(batch_, vt, ib, 0, static_cast<int64_t>(ids.size()), f32(y));
    }
    void copy(const TensorView& src, const TensorView& dst) override {
        same_elements(src, dst, "copy");
        SDN_REQUIRE(src.contiguous() && dst.contiguous(), SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan copy: views must be contiguous");
        vk::convert(batch_, span(src), src.type, span(dst), dst.type, src.elements());
    }

private:
    VulkanBuffer& buffer_of(const TensorView& v, const char* op) const {
        auto* b = dynamic_cast<VulkanDeviceBuffer*>(v.buffer);
        SDN_REQUIRE(b && &b->owner() == this, SDN_ERR_INVALID_ARGUMENT,
                    std::string("Vulkan ") + op + ": the tensor does not live on " + name());
        return b->buffer();
    }
    Span span(const TensorView& v) const {
        return {&buffer_of(v, "op"), static_cast<uint64_t>(v.offset),
                static_cast<uint64_t>(v.bytes())};
    }
    DevPtr strided(const TensorView& v) const {
        SDN_REQUIRE(v.type == DType::F32, SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan ops take f32 activations");
        return {&buffer_of(v, "op"), static_cast<uint64_t>(v.offset)};
    }
    DevPtr f32(const TensorView& v) const {
        SDN_REQUIRE(v.contiguous(), SDN_ERR_INVALID_ARGUMENT,
                    "Vulkan op: " + v.shape_string() + " is not contiguous");
        return strided(v);
    }
    static void same_elements(const TensorView& a, const TensorView& b, const char* op) {
        SDN_REQUIRE(a.elements() == b.elements(), SDN_ERR_INVALID_ARGUMENT,
                    std::string("Vulkan ") + op + ": " + a.shape_string() + " and " +
                        b.shape_string() + " differ in size");
    }
    void binary(const TensorView& a, const TensorView& b, const TensorView& y, bool multiply) {
        same_elements(a, y, multiply ? "mul" : "add");
        const int64_t n = a.elements(), inner = b.elements();
        SDN_REQUIRE(inner > 0 && n % inner == 0, SDN_ERR_INVALID_ARGUMENT,
                    std::string("Vulkan ") + (multiply ? "mul" : "add") + ": b " +
                        b.shape_string() + " does not divide a " + a.shape_string());
        (multiply ? vk::mul : vk::add)(batch_, f32(a), f32(b), n / inner, inner, 1, f32(y));
    }
    const VulkanWeight& resident(const WeightRef& w) const {
        auto it = resident_.find(w.data);
        SDN_REQUIRE(it != resident_.end() && !it->second.expired(), SDN_ERR_INVALID_ARGUMENT,
                    "weight " + shape_text(w.shape) + " was not made resident on " + name());
        return it->second.weight;
    }
    const VulkanWeight* optional(const WeightRef* w) const { return w ? &resident(*w) : nullptr; }
    // Small host arguments (timesteps, token ids) go to a buffer kept until the next submit.
    const VulkanBuffer& host_argument(const void* data, size_t bytes, const char* what) {
        host_arguments_.push_back(std::make_unique<VulkanBuffer>(device_, bytes, what));
        host_arguments_.back()->upload(data, bytes);
        return *host_arguments_.back();
    }
    void flush() {
        // Whatever happens to the submit (a cancel throws), the recorded work is gone after it.
        struct Release {
            VulkanBackend& b;
            ~Release() {
                b.host_arguments_.clear();
                b.retired_.clear();
            }
        } release{*this};
        batch_.submit();
    }

    VulkanDevice device_;
    CommandBatch batch_;
    std::map<const void*, ResidentWeight> resident_;
    std::vector<std::unique_ptr<VulkanBuffer>> host_arguments_;
    std::vector<std::unique_ptr<VulkanBuffer>> retired_;
};

VulkanDeviceBuffer::~VulkanDeviceBuffer() { owner_.retire(std::move(buffer_)); }
const Backend& VulkanDeviceBuffer::owner() const { return owner_; }

}  // namespace

std::unique_ptr<Backend> make_vulkan_backend(const DeviceOptions& options,
                                             std::function<bool()> is_cancelled) {
    return std::make_unique<VulkanBackend>(options, std::move(is_cancelled));
}

std::unique_ptr<Backend> make_vulkan_backend_for(Context& ctx) {
    return make_vulkan_backend({}, [&ctx] { return ctx.cancel_requested(); });
}

}  // namespace sdn::vk
