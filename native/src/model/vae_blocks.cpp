#include "model/vae_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sstream>

#include "core/error.h"
#include "core/backend.h"

namespace sdn::vae {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
    std::ostringstream s;
    s << "[";
    for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
    s << "]";
    return s.str();
}

// A 1x1 convolution weight [O, C, 1, 1] is the same bytes as a linear weight [O, C]; the
// attention projections run as linear layers over token-major activations.
WeightRef as_matrix(const WeightRef& w) {
    WeightRef m = w;
    if (m.shape.size() == 4) m.shape = {w.shape[0], w.shape[1]};
    return m;
}

void require_channels(const DeviceTensor& x, int64_t channels, const char* what) {
    SDN_REQUIRE(x.view().n_dims == 4 && x.dim(1) == channels, SDN_ERR_INVALID_ARGUMENT,
                std::string(what) + ": expected " + std::to_string(channels) +
                    " channels, got tensor " + x.shape_string());
}

}  // namespace

// ------------------------------------------------------------------ WeightBinder

WeightBinder::WeightBinder(const WeightLookup& lookup, std::string prefix)
    : lookup_(lookup), prefix_(std::move(prefix)) {}

WeightRef WeightBinder::get(const std::string& name, const std::vector<int64_t>& expected) {
    const std::string full = prefix_ + name;
    const WeightRef* w = lookup_(full);
    if (!w) {
        missing_.push_back(full);
        return WeightRef{};
    }
    bool ok = w->shape.size() == expected.size() && w->valid();
    for (size_t i = 0; ok && i < expected.size(); ++i)
        ok = expected[i] < 0 ? w->shape[i] > 0 : w->shape[i] == expected[i];
    SDN_REQUIRE(ok, SDN_ERR_FORMAT,
                "tensor " + full + " has shape " + shape_text(w->shape) + ", expected " +
                    shape_text(expected) + " (-1 = any)");
    found_.push_back(w);
    return *w;
}

void WeightBinder::require_complete() const {
    if (missing_.empty()) return;
    std::string message = "VAE weights missing (" + std::to_string(missing_.size()) + "): ";
    const size_t shown = std::min<size_t>(missing_.size(), 12);
    for (size_t i = 0; i < shown; ++i) message += (i ? ", " : "") + missing_[i];
    if (shown < missing_.size()) message += ", ...";
    fail(SDN_ERR_FORMAT, message);
}

// ------------------------------------------------------------------ Conv2d / GroupNorm

Conv2d Conv2d::bind(WeightBinder& b, const std::string& name, int64_t in, int64_t out,
                    int kernel) {
    Conv2d c;
    c.kernel = kernel;
    c.weight = b.get(name + ".weight", {out, in, kernel, kernel});
    c.out = c.weight.valid() ? c.weight.shape[0] : out;
    c.in = c.weight.valid() ? c.weight.shape[1] : in;
    c.bias = b.get(name + ".bias", {c.out});
    return c;
}

DeviceTensor Conv2d::forward(Context& ctx, const DeviceTensor& x, int stride, int pad) const {
    // A full-size conv can take seconds; a cancel from another thread is honoured before
    // each one, not only at the per-block progress reports.
    ctx.check_cancelled();
    require_channels(x, in, "conv2d");
    const int64_t B = x.dim(0), H = x.dim(2), W = x.dim(3);
    const int64_t Ho = (H + 2 * pad - kernel) / stride + 1;
    const int64_t Wo = (W + 2 * pad - kernel) / stride + 1;
    SDN_REQUIRE(Ho > 0 && Wo > 0, SDN_ERR_INVALID_ARGUMENT,
                "conv2d: input " + x.shape_string() + " is too small");
    Backend& be = ctx.backend();
    DeviceTensor y = be.tensor({B, out, Ho, Wo}, "VAE activations");
    be.conv2d(x, weight, &bias, stride, pad, y);
    return y;
}

GroupNorm GroupNorm::bind(WeightBinder& b, const std::string& name, int64_t channels) {
    GroupNorm n;
    n.channels = channels;
    SDN_REQUIRE(channels > 0 && channels % kNormGroups == 0, SDN_ERR_FORMAT,
                "VAE norm " + name + ": " + std::to_string(channels) +
                    " channels is not a multiple of " + std::to_string(kNormGroups) + " groups");
    n.gamma = b.get(name + ".weight", {channels});
    n.beta = b.get(name + ".bias", {channels});
    return n;
}

DeviceTensor GroupNorm::forward(Context& ctx, const DeviceTensor& x, bool silu) const {
    require_channels(x, channels, "group norm");
    Backend& be = ctx.backend();
    DeviceTensor y = be.tensor(x.view().shape_vector(), "VAE activations");
    be.group_norm(x, kNormGroups, kNormEps, &gamma, &beta, y, silu);
    return y;
}

// ------------------------------------------------------------------ ResnetBlock

ResnetBlock ResnetBlock::bind(WeightBinder& b, const std::string& name, int64_t in) {
    ResnetBlock r;
    r.in = in;
    r.norm1 = GroupNorm::bind(b, name + ".norm1", in);
    r.conv1 = Conv2d::bind(b, name + ".conv1", in, -1, 3);
    r.out = r.conv1.out;
    r.norm2 = GroupNorm::bind(b, name + ".norm2", r.out);
    r.conv2 = Conv2d::bind(b, name + ".conv2", r.out, r.out, 3);
    r.has_shortcut = in != r.out;
    if (r.has_shortcut) r.nin_shortcut = Conv2d::bind(b, name + ".nin_shortcut", in, r.out, 1);
    return r;
}

DeviceTensor ResnetBlock::forward(Context& ctx, DeviceTensor&& x) const {
    // At most three full-size activations are alive at once: x, a normalised copy and a
    // conv output; each intermediate is released as soon as the next one exists.
    Backend& be = ctx.backend();
    DeviceTensor h;
    {
        DeviceTensor a = norm1.forward(ctx, x, true);
        h = conv1.forward(ctx, a, 1, 1);
        // Peak: x with either (normed x, conv1 out) or (normed conv1 out, conv2 out).
        const int64_t peak =
            x.elements() + std::max(a.elements() + h.elements(), 2 * h.elements());
        ctx.note_scratch_bytes(peak * int64_t(sizeof(float)));
    }
    {
        DeviceTensor a = norm2.forward(ctx, h, true);
        h.release();
        h = conv2.forward(ctx, a, 1, 1);
    }
    if (has_shortcut) {
        DeviceTensor s = nin_shortcut.forward(ctx, x, 1, 0);
        x.release();
        be.add(h, s, h);
    } else {
        be.add(h, x, h);
    }
    return h;
}

// ------------------------------------------------------------------ AttentionBlock

AttentionBlock AttentionBlock::bind(WeightBinder& b, const std::string& name, int64_t channels) {
    AttentionBlock a;
    a.channels = channels;
    a.norm = GroupNorm::bind(b, name + ".norm", channels);
    auto projection = [&](const std::string& part, WeightRef& w, WeightRef& bias) {
        const std::string wname = name + "." + part + ".weight";
        // Both layouts occur in the wild: conv-shaped [C, C, 1, 1] and linear-shaped [C, C].
        const WeightRef* found = b.find(wname);
        if (found && found->shape.size() == 2)
            w = b.get(wname, {channels, channels});
        else
            w = as_matrix(b.get(wname, {channels, channels, 1, 1}));
        bias = b.get(name + "." + part + ".bias", {channels});
    };
    projection("q", a.q, a.q_b);
    projection("k", a.k, a.k_b);
    projection("v", a.v, a.v_b);
    projection("proj_out", a.proj_out, a.proj_out_b);
    return a;
}

DeviceTensor AttentionBlock::forward(Context& ctx, DeviceTensor&& x) const {
    require_channels(x, channels, "attention block");
    Backend& be = ctx.backend();
    const int64_t B = x.dim(0), C = channels, N = x.dim(2) * x.dim(3);
    DeviceTensor normed = norm.forward(ctx, x, false);
    // Token-major work buffers for one batch item: tokens [N, C], q, k, v, and the output.
    const DeviceTensor tokens = be.tensor({1, N, C}, "VAE attention");
    const DeviceTensor qt = be.tensor({1, N, C}, "VAE attention");
    const DeviceTensor kt = be.tensor({1, N, C}, "VAE attention");
    const DeviceTensor vt = be.tensor({1, N, C}, "VAE attention");
    for (int64_t bi = 0; bi < B; ++bi) {
        const TensorView item = normed.view().slice(bi, 1).reshaped({1, C, N});
        be.channels_to_tokens(item, tokens);
        be.linear(tokens, q, &q_b, qt, false);
        be.linear(tokens, k, &k_b, kt, false);
        be.linear(tokens, v, &v_b, vt, false);
        AttentionOp op;
        op.q = qt, op.k = kt, op.v = vt;
        op.out = tokens;  // tokens are no longer needed once q, k, v exist
        op.heads = 1;
        op.scale = 1.0f / std::sqrt(static_cast<float>(C));
        be.attention(op);
        be.linear(tokens, proj_out, &proj_out_b, qt, false);
        // Back to channel-major, added onto the residual below.
        be.tokens_to_channels(qt, TensorView{}, item);
    }
    be.add(x, normed, x);
    return std::move(x);
}

// ------------------------------------------------------------------ Down/Upsample

Downsample Downsample::bind(WeightBinder& b, const std::string& name, int64_t channels) {
    Downsample d;
    d.conv = Conv2d::bind(b, name + ".conv", channels, channels, 3);
    return d;
}

DeviceTensor Downsample::forward(Context& ctx, const DeviceTensor& x) const {
    require_channels(x, conv.in, "downsample");
    const int64_t B = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    SDN_REQUIRE(H >= 2 && W >= 2, SDN_ERR_INVALID_ARGUMENT,
                "downsample: input " + x.shape_string() + " is too small");
    // The asymmetric (0, 1, 0, 1) zero pad, then a plain stride-2 conv.
    Backend& be = ctx.backend();
    DeviceTensor padded = be.tensor({B, C, H + 1, W + 1}, "VAE activations");
    be.pad_zero(x, 0, 0, padded);
    return conv.forward(ctx, padded, 2, 0);
}

Upsample Upsample::bind(WeightBinder& b, const std::string& name, int64_t channels) {
    Upsample u;
    u.conv = Conv2d::bind(b, name + ".conv", channels, channels, 3);
    return u;
}

DeviceTensor Upsample::forward(Context& ctx, const DeviceTensor& x) const {
    require_channels(x, conv.in, "upsample");
    const int64_t B = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3);
    Backend& be = ctx.backend();
    DeviceTensor big = be.tensor({B, C, 2 * H, 2 * W}, "VAE activations");
    be.upsample_nearest2x(x, big);
    ctx.note_scratch_bytes((x.elements() + 2 * big.elements()) * int64_t(sizeof(float)));
    return conv.forward(ctx, big, 1, 1);
}

}  // namespace sdn::vae
