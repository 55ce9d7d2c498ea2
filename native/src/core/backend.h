// The seam between model code and the hardware that computes. Model code (model/) is written
// once against this interface and never includes a backend's header; each backend (cpu/,
// vulkan/, later cuda/) implements it; api/ composes them. See docs/backends.md.
//
// Conventions every op follows:
//  - Activations are TensorViews of type F32, contiguous, NCHW for images ([B, C, H, W]) and
//    row-major [rows, dim] for token sequences. A backend may store activations in another
//    type internally only if the results stay within its documented error bound.
//  - Weights are WeightRefs as loaded (PyTorch dimension order, any stored type: f32, f16,
//    bf16, GGUF blocks). A backend computes with its own resident copy, made by
//    make_resident() once per model; kernels never expand a whole weight to f32.
//  - Ops are recorded in order and may run asynchronously; submit() hands recorded work to
//    the device, download() and synchronize() wait for it. Ops never read or write host
//    memory except the small host arguments named in their signature (token ids, timesteps).
//  - Outputs never alias inputs unless the comment says so. Shape mismatches throw
//    Error(SDN_ERR_INVALID_ARGUMENT) naming the op and the shapes.
//  - Allocation failure throws Error(SDN_ERR_OUT_OF_MEMORY) naming the backend, the size and
//    the purpose; a lost device throws Error(SDN_ERR_INTERNAL) naming the device. Nothing
//    aborts.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "device_tensor.h"
#include "element_type.h"

namespace sdn {

// Relu and Tanh are what TAESD needs (its output clamp is tanh(x / 3) * 3).
enum class Activation { Silu, GeluErf, GeluTanh, QuickGelu, Relu, Tanh };

// Resizing modes, exactly as torch.nn.functional.interpolate (align_corners=False, no
// antialias).
enum class InterpMode { Nearest, NearestExact, Bilinear, Bicubic, Area };

// Scaled dot-product attention over heads*head_dim-wide rows. q: [B, Nq, heads*head_dim],
// k and v: [B, Nk, heads*head_dim], out: [B, Nq, heads*head_dim]. Each view may have its
// own token stride (stride[1], elements between consecutive tokens; the last dimension is
// contiguous) so q, k and v can be columns() of one fused projection. Never materialises
// the [Nq, Nk] score matrix. scale is usually 1/sqrt(head_dim); causal masks keys j > i.
struct AttentionOp {
    TensorView q, k, v, out;
    int64_t heads = 1;
    float scale = 1.0f;
    bool causal = false;
};

class Backend {
public:
    // Bumped whenever an op is added or its semantics change, so an out-of-tree backend
    // built against another revision is refused rather than misused.
    static constexpr int kInterfaceVersion = 2;
    virtual int interface_version() const { return kInterfaceVersion; }

    virtual ~Backend() = default;

    // "cpu", "vulkan:0 NVIDIA GeForce RTX 4090", ... for logs and error messages.
    virtual std::string name() const = 0;
    // True when host_data() of this backend's buffers is usable (zero-copy views of host
    // memory). Model code must not depend on it; it exists for tests and diagnostics.
    virtual bool host_visible() const = 0;
    // Bytes of memory this backend may still use (-1: unknown, nothing bounds it). The VAE
    // chooses its tile size from it.
    virtual int64_t memory_budget() const = 0;

    // ---------------------------------------------------------------- memory
    // A new buffer of `bytes`; contents undefined. `purpose` ("UNet activations") goes into
    // the out-of-memory error.
    virtual std::shared_ptr<DeviceBuffer> allocate(int64_t bytes, const char* purpose) = 0;
    // A contiguous tensor in a fresh buffer; contents undefined.
    DeviceTensor tensor(const std::vector<int64_t>& shape, const char* purpose,
                        DType type = DType::F32);
    // Host -> device: dst's bytes from `host` (dst.bytes() of them). Node boundaries only.
    virtual void upload(const TensorView& dst, const void* host) = 0;
    // Device -> host: waits for the work that writes src, then copies src.bytes() to `host`.
    virtual void download(const TensorView& src, void* host) = 0;
    // Makes each weight resident on this backend (uploaded once, kept in its stored type)
    // for as long as `owner` (the memory the WeightRefs point into) lives. Ops given a
    // weight that was not made resident throw. Repeated calls with resident weights are
    // cheap. On the CPU the resident copy is the WeightRef's own (mapped) memory.
    virtual void make_resident(const std::vector<const WeightRef*>& weights,
                               const std::shared_ptr<const void>& owner) = 0;

    // ---------------------------------------------------------------- ordering
    // Hands the work recorded so far to the device without waiting (a block boundary: the
    // caller checks cancellation between submits).
    virtual void submit() = 0;
    // Waits for everything submitted or recorded to finish.
    virtual void synchronize() = 0;

    // ---------------------------------------------------------------- ops
    // y[M, N] = x[M, K] * W^T + bias; W stored [N, K] (PyTorch Linear), bias [N] or null.
    // accumulate: y += result instead of y = result (the residual add, fused).
    virtual void linear(const TensorView& x, const WeightRef& w, const WeightRef* bias,
                        const TensorView& y, bool accumulate) = 0;
    // 2-D convolution. x [B, C, H, W], w [O, C, k, k] with k = 1 or 3, stride 1 or 2, pad 0
    // or 1 (zero padding on all four sides), bias [O] or null; y [B, O, Ho, Wo] with
    // Ho = (H + 2*pad - k)/stride + 1.
    virtual void conv2d(const TensorView& x, const WeightRef& w, const WeightRef* bias,
                        int stride, int pad, const TensorView& y) = 0;
    // Group norm of x [B, C, ...] (everything after C is one spatial axis) with `groups`
    // groups of C/groups channels; gamma/beta [C] or null. silu: SiLU on the output (fused).
    // y has x's shape; y may alias x.
    virtual void group_norm(const TensorView& x, int groups, float eps, const WeightRef* gamma,
                            const WeightRef* beta, const TensorView& y, bool silu) = 0;
    // Layer norm over the last dimension of x [rows, dim]; gamma/beta [dim] or null.
    virtual void layer_norm(const TensorView& x, float eps, const WeightRef* gamma,
                            const WeightRef* beta, const TensorView& y) = 0;
    virtual void attention(const AttentionOp& op) = 0;
    // In place over every element of x: silu x*sigmoid(x); gelu_erf 0.5x(1+erf(x/sqrt2));
    // gelu_tanh (tanh approximation); quick_gelu x*sigmoid(1.702x) (CLIP); relu max(x, 0);
    // tanh.
    virtual void activation(Activation kind, const TensorView& x) = 0;
    // GEGLU: x [rows, 2d]; y[r, i] = x[r, i] * gelu_erf(x[r, d + i]); y [rows, d].
    virtual void geglu(const TensorView& x, const TensorView& y) = 0;
    // y = a + b (a * b), element-wise. b has a's element count, or fewer elements that
    // divide it: then b repeats over a's leading elements (a seen as [n/|b|, |b|]). y has
    // a's shape and may alias a.
    virtual void add(const TensorView& a, const TensorView& b, const TensorView& y) = 0;
    virtual void mul(const TensorView& a, const TensorView& b, const TensorView& y) = 0;
    // x[b, c, ...] += v[b, c] for x [B, C, ...] and v [B, C] (a resnet block's projected
    // time embedding), in place.
    virtual void add_channel_bias(const TensorView& x, const TensorView& v) = 0;
    // Nearest-neighbour x2: x [B, C, H, W] -> y [B, C, 2H, 2W].
    virtual void upsample_nearest2x(const TensorView& x, const TensorView& y) = 0;
    // Resize x [B, C, H, W] to y's [B, C, Ho, Wo] with `mode`.
    virtual void interpolate(const TensorView& x, const TensorView& y, InterpMode mode) = 0;
    // Zero padding: x [B, C, H, W] placed at (top, left) of y [B, C, Ho, Wo]; the rest of y
    // is zero (the VAE's asymmetric downsampling pad).
    virtual void pad_zero(const TensorView& x, int64_t top, int64_t left,
                          const TensorView& y) = 0;
    // Channel concat: a [B, C1, ...] and b [B, C2, ...] -> y [B, C1 + C2, ...].
    virtual void concat_channels(const TensorView& a, const TensorView& b,
                                 const TensorView& y) = 0;
    // Channel-major to token-major: x [B, C, N] -> y [B, N, C].
    virtual void channels_to_tokens(const TensorView& x, const TensorView& y) = 0;
    // Token-major back to channel-major plus a residual (fused):
    // y[b, c, n] = tokens[b, n, c] + residual[b, c, n]. residual may be null (.buffer null):
    // then plain transpose.
    virtual void tokens_to_channels(const TensorView& tokens, const TensorView& residual,
                                    const TensorView& y) = 0;
    // Sinusoidal timestep embedding (the SD UNet's): t holds y.dim(0) host values;
    // half = dim/2, freq_i = exp(-ln(max_period) * i / half), y[b] = [cos(t_b freq),
    // sin(t_b freq)] for y [B, dim].
    virtual void timestep_embedding(const std::vector<float>& t, float max_period,
                                    const TensorView& y) = 0;
    // Embedding lookup: y[r, :] = table[ids[r], :] as f32, table [V, D] in any stored type,
    // y [ids.size(), D]. Ids are host values already checked to lie in [0, V).
    virtual void gather_rows(const WeightRef& table, const std::vector<int32_t>& ids,
                             const TensorView& y) = 0;
    // dst = src converted to dst's type (f32 <-> f16/bf16), equal element counts; either
    // may be a slice of a larger tensor.
    virtual void copy(const TensorView& src, const TensorView& dst) = 0;
};

}  // namespace sdn
