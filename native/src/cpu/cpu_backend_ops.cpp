// The CPU backend's ops: each checks its views and calls the cpu/ops.h kernel with exactly
// the arguments model code passed before the seam existed, so results are bit-identical.
#include <cmath>
#include <iterator>

#include "cpu/cpu_backend.h"
#include "cpu/host_views.h"
#include "cpu/kernel_table.h"
#include "cpu/op_profile.h"
#include "cpu/ops.h"
#include "cpu/weight_rows.h"

namespace sdn::cpu {

namespace {

int64_t last_dim(const TensorView& v) { return v.dim(v.n_dims - 1); }

// [B, C, rest...]: B, C and the product of the rest.
struct Planes {
    int64_t B, C, HW;
};
Planes planes(const TensorView& v, const char* op) {
    SDN_REQUIRE(v.n_dims >= 2, SDN_ERR_INVALID_ARGUMENT,
                std::string(op) + ": expected [B, C, ...], got " + v.shape_string());
    return {v.dim(0), v.dim(1), v.elements() / (v.dim(0) * v.dim(1))};
}

}  // namespace

void CpuBackend::linear(const TensorView& x, const WeightRef& w, const WeightRef* bias,
                        const TensorView& y, bool accumulate) {
    const float* xp = host_f32(*this, x, "linear");
    float* yp = host_f32(*this, y, "linear");
    const int64_t K = last_dim(x), M = x.elements() / K;
    OpScope scope(
        profile_,
        [&] {
            return "linear " + std::string(dtype_traits(w.type).name) + " " + std::to_string(M) +
                   "x" + std::to_string(K) + "->" + std::to_string(w.rows());
        },
        2.0 * double(M) * double(K) * double(w.rows()));
    require_shape(w.shape.size() == 2 && w.shape[1] == K && y.elements() == M * w.shape[0],
                  "linear", x, y);
    ops::linear(ctx_, xp, M, K, w, bias, yp, accumulate);
}

void CpuBackend::conv2d(const TensorView& x, const WeightRef& w, const WeightRef* bias, int stride,
                        int pad, const TensorView& y) {
    const float* xp = host_f32(*this, x, "conv2d");
    float* yp = host_f32(*this, y, "conv2d");
    require_shape(x.n_dims == 4 && y.n_dims == 4 && w.shape.size() == 4, "conv2d", x, y);
    const int64_t k = w.shape[3];
    const int64_t Ho = (x.dim(2) + 2 * pad - k) / stride + 1;
    const int64_t Wo = (x.dim(3) + 2 * pad - k) / stride + 1;
    OpScope scope(
        profile_,
        [&] {
            return "conv2d " + std::to_string(k) + "x" + std::to_string(k) +
                   (stride == 2 ? "/2 " : " ") + std::string(dtype_traits(w.type).name) + " " +
                   std::to_string(x.dim(1)) + "->" + std::to_string(w.shape[0]) + " " +
                   std::to_string(x.dim(2)) + "x" + std::to_string(x.dim(3));
        },
        2.0 * double(x.dim(0)) * double(w.elements()) * double(Ho * Wo));
    require_shape(w.shape[1] == x.dim(1) && y.dim(0) == x.dim(0) && y.dim(1) == w.shape[0] &&
                      y.dim(2) == Ho && y.dim(3) == Wo,
                  "conv2d", x, y);
    ops::conv2d(ctx_, xp, x.dim(0), x.dim(1), x.dim(2), x.dim(3), w, bias, stride, pad, yp);
}

void CpuBackend::group_norm(const TensorView& x, int groups, float eps, const WeightRef* gamma,
                            const WeightRef* beta, const TensorView& y, bool silu) {
    const float* xp = host_f32(*this, x, "group_norm");
    float* yp = host_f32(*this, y, "group_norm");
    require_shape(x.elements() == y.elements(), "group_norm", x, y);
    const Planes p = planes(x, "group_norm");
    OpScope scope(profile_, [&] {
        return std::string(silu ? "group_norm+silu " : "group_norm ") + std::to_string(p.C) + "x" +
               std::to_string(p.HW);
    });
    ops::group_norm(ctx_, xp, p.B, p.C, p.HW, groups, eps, gamma, beta, yp, silu);
}

void CpuBackend::layer_norm(const TensorView& x, float eps, const WeightRef* gamma,
                            const WeightRef* beta, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("layer_norm"); });
    const float* xp = host_f32(*this, x, "layer_norm");
    float* yp = host_f32(*this, y, "layer_norm");
    require_shape(x.elements() == y.elements(), "layer_norm", x, y);
    const int64_t dim = last_dim(x);
    ops::layer_norm(ctx_, xp, x.elements() / dim, dim, eps, gamma, beta, yp);
}

void CpuBackend::attention(const AttentionOp& op) {
    // q, k, v and out may be column slices of wider rows: contiguous within a row, with
    // their own token stride, and batches one token block apart.
    auto rows = [&](const TensorView& v, const char* role) {
        char* p = host_bytes(*this, v, "attention");
        SDN_REQUIRE(v.type == DType::F32 && v.n_dims == 3 && v.stride[2] == 1 &&
                        v.stride[0] == v.dim(1) * v.stride[1],
                    SDN_ERR_INVALID_ARGUMENT,
                    std::string("attention: ") + role + " must be [B, N, width] f32 rows, got " +
                        v.shape_string());
        return reinterpret_cast<float*>(p);
    };
    ops::AttentionArgs a{};
    a.q = rows(op.q, "q");
    a.k = rows(op.k, "k");
    a.v = rows(op.v, "v");
    a.out = rows(op.out, "out");
    const int64_t width = op.q.dim(2);
    SDN_REQUIRE(op.heads > 0 && width % op.heads == 0 && op.k.dim(2) == width &&
                    op.v.dim(2) == width && op.out.dim(2) == width && op.k.dim(1) == op.v.dim(1) &&
                    op.out.dim(1) == op.q.dim(1) && op.k.dim(0) == op.q.dim(0) &&
                    op.v.dim(0) == op.q.dim(0) && op.out.dim(0) == op.q.dim(0),
                SDN_ERR_INVALID_ARGUMENT,
                "attention: q " + op.q.shape_string() + ", k " + op.k.shape_string() + ", v " +
                    op.v.shape_string() + " and out " + op.out.shape_string() + " do not fit");
    a.batch = op.q.dim(0);
    a.nq = op.q.dim(1);
    a.nk = op.k.dim(1);
    a.heads = op.heads;
    a.head_dim = width / op.heads;
    a.q_stride = op.q.stride[1];
    a.k_stride = op.k.stride[1];
    a.v_stride = op.v.stride[1];
    a.out_stride = op.out.stride[1];
    a.scale = op.scale;
    a.causal = op.causal;
    OpScope scope(
        profile_,
        [&] {
            return "attention " + std::to_string(a.nq) + "x" + std::to_string(a.nk) + " d" +
                   std::to_string(a.head_dim) + " h" + std::to_string(a.heads);
        },
        4.0 * double(a.batch) * double(a.heads) * double(a.nq) * double(a.nk) * double(a.head_dim));
    ops::attention(ctx_, a);
}

void CpuBackend::activation(Activation kind, const TensorView& x) {
    OpScope scope(profile_, [] { return std::string("activation"); });
    // Indexed by Activation, in its order.
    using Kernel = void (*)(Context&, float*, int64_t);
    static constexpr Kernel kKernels[] = {ops::silu, ops::gelu_erf, ops::gelu_tanh,
                                          ops::quick_gelu, ops::relu, ops::tanh};
    static_assert(static_cast<size_t>(Activation::Tanh) + 1 == std::size(kKernels),
                  "one kernel per Activation");
    kKernels[static_cast<size_t>(kind)](ctx_, host_f32(*this, x, "activation"), x.elements());
}

void CpuBackend::geglu(const TensorView& x, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("geglu"); });
    const float* xp = host_f32(*this, x, "geglu");
    float* yp = host_f32(*this, y, "geglu");
    const int64_t two_d = last_dim(x), rows = x.elements() / two_d;
    require_shape(two_d % 2 == 0 && y.elements() == rows * (two_d / 2), "geglu", x, y);
    ops::geglu(ctx_, xp, rows, two_d / 2, yp);
}

// a [n] op b [n or a divisor of n, repeated]: the kernels' (outer, inner, b_outer = 1) form.
template <typename Kernel>
static void broadcast_binary(const Backend& self, const char* op, const TensorView& a,
                             const TensorView& b, const TensorView& y, Kernel kernel) {
    const float* ap = host_f32(self, a, op);
    const float* bp = host_f32(self, b, op);
    float* yp = host_f32(self, y, op);
    const int64_t n = a.elements(), inner = b.elements();
    require_shape(n % inner == 0 && y.elements() == n, op, a, b);
    kernel(ap, bp, n / inner, inner, yp);
}

void CpuBackend::add(const TensorView& a, const TensorView& b, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("add"); });
    broadcast_binary(*this, "add", a, b, y,
                     [&](const float* ap, const float* bp, int64_t outer, int64_t inner,
                         float* yp) { ops::add(ctx_, ap, bp, outer, inner, 1, yp); });
}

void CpuBackend::mul(const TensorView& a, const TensorView& b, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("mul"); });
    broadcast_binary(*this, "mul", a, b, y,
                     [&](const float* ap, const float* bp, int64_t outer, int64_t inner,
                         float* yp) { ops::mul(ctx_, ap, bp, outer, inner, 1, yp); });
}

void CpuBackend::add_channel_bias(const TensorView& x, const TensorView& v) {
    OpScope scope(profile_, [] { return std::string("add_channel_bias"); });
    float* xp = host_f32(*this, x, "add_channel_bias");
    const float* vp = host_f32(*this, v, "add_channel_bias");
    const Planes p = planes(x, "add_channel_bias");
    require_shape(v.elements() == p.B * p.C, "add_channel_bias", x, v);
    ops::add_channel_bias(ctx_, xp, vp, p.B, p.C, p.HW);
}

void CpuBackend::upsample_nearest2x(const TensorView& x, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("upsample_nearest2x"); });
    const float* xp = host_f32(*this, x, "upsample_nearest2x");
    float* yp = host_f32(*this, y, "upsample_nearest2x");
    require_shape(x.n_dims == 4 && y.n_dims == 4 && y.dim(0) == x.dim(0) && y.dim(1) == x.dim(1) &&
                      y.dim(2) == 2 * x.dim(2) && y.dim(3) == 2 * x.dim(3),
                  "upsample_nearest2x", x, y);
    ops::upsample_nearest2x(ctx_, xp, x.dim(0), x.dim(1), x.dim(2), x.dim(3), yp);
}

void CpuBackend::interpolate(const TensorView& x, const TensorView& y, InterpMode mode) {
    OpScope scope(profile_, [] { return std::string("interpolate"); });
    const float* xp = host_f32(*this, x, "interpolate");
    float* yp = host_f32(*this, y, "interpolate");
    require_shape(x.n_dims == 4 && y.n_dims == 4 && y.dim(0) == x.dim(0) && y.dim(1) == x.dim(1),
                  "interpolate", x, y);
    ops::interpolate(ctx_, xp, x.dim(0), x.dim(1), x.dim(2), x.dim(3), yp, y.dim(2), y.dim(3),
                     static_cast<ops::Interp>(static_cast<int>(mode)));
    static_assert(
        static_cast<int>(InterpMode::Area) == static_cast<int>(ops::Interp::Area) &&
            static_cast<int>(InterpMode::Bilinear) == static_cast<int>(ops::Interp::Bilinear),
        "InterpMode mirrors ops::Interp");
}

void CpuBackend::pad_zero(const TensorView& x, int64_t top, int64_t left, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("pad_zero"); });
    const float* xp = host_f32(*this, x, "pad_zero");
    float* yp = host_f32(*this, y, "pad_zero");
    require_shape(x.n_dims == 4 && y.n_dims == 4 && y.dim(0) == x.dim(0) && y.dim(1) == x.dim(1) &&
                      top >= 0 && left >= 0 && top + x.dim(2) <= y.dim(2) &&
                      left + x.dim(3) <= y.dim(3),
                  "pad_zero", x, y);
    ops::pad_zero(ctx_, xp, x.dim(0), x.dim(1), x.dim(2), x.dim(3), top, left, yp, y.dim(2),
                  y.dim(3));
}

void CpuBackend::concat_channels(const TensorView& a, const TensorView& b, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("concat_channels"); });
    const float* ap = host_f32(*this, a, "concat_channels");
    const float* bp = host_f32(*this, b, "concat_channels");
    float* yp = host_f32(*this, y, "concat_channels");
    const Planes pa = planes(a, "concat_channels"), pb = planes(b, "concat_channels");
    require_shape(pa.B == pb.B && pa.HW == pb.HW && y.elements() == pa.B * (pa.C + pb.C) * pa.HW,
                  "concat_channels", a, b);
    ops::concat_channels(ctx_, ap, pa.C, bp, pb.C, pa.B, pa.HW, yp);
}

void CpuBackend::channels_to_tokens(const TensorView& x, const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("channels_to_tokens"); });
    const float* xp = host_f32(*this, x, "channels_to_tokens");
    float* yp = host_f32(*this, y, "channels_to_tokens");
    const Planes p = planes(x, "channels_to_tokens");
    require_shape(y.elements() == x.elements(), "channels_to_tokens", x, y);
    ops::channels_to_tokens(ctx_, xp, p.B, p.C, p.HW, yp);
}

void CpuBackend::tokens_to_channels(const TensorView& tokens, const TensorView& residual,
                                    const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("tokens_to_channels"); });
    const float* tp = host_f32(*this, tokens, "tokens_to_channels");
    float* yp = host_f32(*this, y, "tokens_to_channels");
    const Planes p = planes(y, "tokens_to_channels");
    require_shape(tokens.elements() == y.elements(), "tokens_to_channels", tokens, y);
    const float* rp = nullptr;
    if (residual.buffer) {
        rp = host_f32(*this, residual, "tokens_to_channels");
        require_shape(residual.elements() == y.elements(), "tokens_to_channels", residual, y);
    }
    ops::tokens_to_channels(ctx_, tp, rp, p.B, p.C, p.HW, yp);
}

void CpuBackend::timestep_embedding(const std::vector<float>& t, float max_period,
                                    const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("timestep_embedding"); });
    float* yp = host_f32(*this, y, "timestep_embedding");
    SDN_REQUIRE(y.n_dims == 2 && y.dim(0) == static_cast<int64_t>(t.size()),
                SDN_ERR_INVALID_ARGUMENT,
                "timestep_embedding: " + std::to_string(t.size()) + " timesteps for output " +
                    y.shape_string());
    ops::timestep_embedding(t.data(), y.dim(0), y.dim(1), yp, max_period);
}

void CpuBackend::gather_rows(const WeightRef& table, const std::vector<int32_t>& ids,
                             const TensorView& y) {
    OpScope scope(profile_, [] { return std::string("gather_rows"); });
    float* yp = host_f32(*this, y, "gather_rows");
    const int64_t D = table.row_elems();
    SDN_REQUIRE(table.shape.size() == 2 && y.elements() == static_cast<int64_t>(ids.size()) * D,
                SDN_ERR_INVALID_ARGUMENT,
                "gather_rows: " + std::to_string(ids.size()) + " rows of width " +
                    std::to_string(D) + " do not fit " + y.shape_string());
    require_readable_weight(table, "gather_rows");
    const KernelTable& kt = kernels(ctx_);
    for (size_t r = 0; r < ids.size(); ++r) {
        SDN_REQUIRE(ids[r] >= 0 && ids[r] < table.shape[0], SDN_ERR_INVALID_ARGUMENT,
                    "gather_rows: row " + std::to_string(ids[r]) + " outside the table");
        weight_row_f32(kt, table, ids[r], 0, D, yp + static_cast<int64_t>(r) * D);
    }
}

}  // namespace sdn::cpu
