// The building blocks of the SD KL autoencoder (the "first stage model"): convolutions,
// resnet blocks without a time embedding, the single-head mid-block attention, and the
// down/upsamplers. Activations are float32 NCHW tensors on the context's backend; weights
// stay in their stored type and are handed to the backend's ops as views.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/backend.h"
#include "core/context.h"
#include "core/device_tensor.h"
#include "model/weight_lookup.h"

namespace sdn::vae {

// The autoencoder normalises with GroupNorm(32 groups, eps 1e-6) everywhere.
constexpr int kNormGroups = 32;
constexpr float kNormEps = 1e-6f;

// Finds weights under one name prefix and checks their shapes. Missing tensors are collected
// (not thrown one by one) so a broken file is reported with every name it lacks.
class WeightBinder {
public:
    WeightBinder(const WeightLookup& lookup, std::string prefix);

    bool has(const std::string& name) const { return find(name) != nullptr; }
    // The weight `name` (prefix added) without recording or checking anything; nullptr if absent.
    const WeightRef* find(const std::string& name) const { return lookup_(prefix_ + name); }
    // The weight `name` (prefix added). When it is absent the name is recorded and an empty
    // WeightRef is returned. Each expected dimension that is >= 0 must match (else throws
    // Error(SDN_ERR_FORMAT)); -1 accepts any size.
    WeightRef get(const std::string& name, const std::vector<int64_t>& expected_shape);
    // How many of "<base>0<suffix>", "<base>1<suffix>", ... exist in a row (blocks, levels).
    int count_indexed(const std::string& base, const std::string& suffix) const {
        int n = 0;
        while (n < 64 && has(base + std::to_string(n) + suffix)) ++n;
        return n;
    }
    // Throws Error(SDN_ERR_FORMAT) naming the missing tensors, if any.
    void require_complete() const;
    const std::vector<std::string>& missing() const { return missing_; }
    // Every weight get() found, for Backend::make_resident.
    const std::vector<const WeightRef*>& found() const { return found_; }

private:
    WeightLookup lookup_;
    std::string prefix_;
    std::vector<std::string> missing_;
    std::vector<const WeightRef*> found_;
};

struct Conv2d {
    WeightRef weight;  // [out, in, k, k]
    WeightRef bias;    // [out]
    int64_t in = 0, out = 0;
    int kernel = 3;

    // in < 0: read it from the stored shape (out likewise).
    static Conv2d bind(WeightBinder& b, const std::string& name, int64_t in, int64_t out,
                       int kernel);
    // y = conv(x); x is [B, in, H, W].
    DeviceTensor forward(Context& ctx, const DeviceTensor& x, int stride, int pad) const;
};

struct GroupNorm {
    WeightRef gamma, beta;  // [channels]
    int64_t channels = 0;

    static GroupNorm bind(WeightBinder& b, const std::string& name, int64_t channels);
    // y = GroupNorm(x), then SiLU when silu is set.
    DeviceTensor forward(Context& ctx, const DeviceTensor& x, bool silu) const;
};

// h = conv2(silu(norm2(conv1(silu(norm1(x)))))); out = shortcut(x) + h, where the shortcut is
// a 1x1 conv ("nin_shortcut") when the channel count changes.
struct ResnetBlock {
    GroupNorm norm1, norm2;
    Conv2d conv1, conv2;
    bool has_shortcut = false;
    Conv2d nin_shortcut;
    int64_t in = 0, out = 0;

    // in: the channels flowing in (checked against the stored shapes); out is read from them.
    static ResnetBlock bind(WeightBinder& b, const std::string& name, int64_t in);
    DeviceTensor forward(Context& ctx, DeviceTensor&& x) const;
};

// Single-head self-attention over all H*W positions; q, k, v and proj_out are 1x1
// convolutions (stored as [C, C, 1, 1] or [C, C]). out = x + proj_out(attn(norm(x))).
struct AttentionBlock {
    GroupNorm norm;
    WeightRef q, k, v, proj_out;        // viewed as [C, C]
    WeightRef q_b, k_b, v_b, proj_out_b;  // [C]
    int64_t channels = 0;

    static AttentionBlock bind(WeightBinder& b, const std::string& name, int64_t channels);
    DeviceTensor forward(Context& ctx, DeviceTensor&& x) const;
};

// Halves H and W: zero-pad one column on the right and one row at the bottom, then a 3x3
// stride-2 conv without padding (the SD layout; Ho = floor(H/2) for any H).
struct Downsample {
    Conv2d conv;
    static Downsample bind(WeightBinder& b, const std::string& name, int64_t channels);
    DeviceTensor forward(Context& ctx, const DeviceTensor& x) const;
};

// Doubles H and W: nearest-neighbour x2, then a 3x3 conv with padding 1.
struct Upsample {
    Conv2d conv;
    static Upsample bind(WeightBinder& b, const std::string& name, int64_t channels);
    DeviceTensor forward(Context& ctx, const DeviceTensor& x) const;
};

// Reports one finished block of a VAE pass as progress (and so honours cancellation).
// One ticker spans every network call of an encode or decode, tiles included.
class ProgressTicker {
public:
    ProgressTicker(Context& ctx, sdn_stage stage, int total) : ctx_(ctx), stage_(stage), total_(total) {}
    void start() { ctx_.progress(stage_, 0, total_); }
    // A block boundary: the block's work goes to the device, then progress (and with it the
    // cancellation check) is reported.
    void tick() {
        ctx_.backend().submit();
        ctx_.progress(stage_, ++done_, total_);
    }
    Context& ctx() { return ctx_; }

private:
    Context& ctx_;
    sdn_stage stage_;
    int done_ = 0;
    int total_;
};

}  // namespace sdn::vae
