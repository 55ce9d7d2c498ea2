// Weight differences of LoRA modules, computed in f32 (as ComfyUI computes them before
// casting to the weight's type).
#include "model/lora_delta.h"

#include <sstream>

#include "core/error.h"
#include "quant/row_ops.h"

namespace sdn {

namespace {

struct Matrix {
    std::vector<float> v;
    int64_t rows = 0, cols = 0;
};

// A tensor as a matrix: outermost dimension by everything else.
Matrix matrix_of(Context& ctx, const TensorEntry& e) {
    Matrix m;
    m.v = weight_values(e.ref, ctx.cpu_variant());
    m.rows = e.ref.shape.empty() ? 1 : e.ref.shape[0];
    m.cols = m.rows ? static_cast<int64_t>(m.v.size()) / m.rows : 0;
    return m;
}

[[noreturn]] void misfit(const LoraModule& module, const std::string& what) {
    fail(SDN_ERR_FORMAT, "LoRA module " + module.stem + ": " + what);
}

// a [M, K] · b [K, N], rows spread over the context's threads.
Matrix product(Context& ctx, const LoraModule& module, const Matrix& a, const Matrix& b) {
    if (a.cols != b.rows) {
        std::ostringstream msg;
        msg << "factors [" << a.rows << ", " << a.cols << "] and [" << b.rows << ", " << b.cols
            << "] do not multiply";
        misfit(module, msg.str());
    }
    Matrix c;
    c.rows = a.rows, c.cols = b.cols;
    c.v.assign(static_cast<size_t>(c.rows * c.cols), 0.0f);
    ctx.pool().parallel_range(c.rows, [&](int64_t begin, int64_t end, int) {
        for (int64_t i = begin; i < end; ++i) {
            float* out = &c.v[static_cast<size_t>(i * c.cols)];
            for (int64_t k = 0; k < a.cols; ++k) {
                const float s = a.v[static_cast<size_t>(i * a.cols + k)];
                const float* row = &b.v[static_cast<size_t>(k * b.cols)];
                for (int64_t j = 0; j < c.cols; ++j) out[j] += s * row[j];
            }
        }
    });
    return c;
}

float alpha_scale(Context& ctx, const LoraModule& module, int64_t rank) {
    if (!module.alpha || rank <= 0) return 1.0f;
    const std::vector<float> a = weight_values(module.alpha->ref, ctx.cpu_variant());
    if (a.size() != 1) misfit(module, "alpha is not a single value");
    return a[0] / static_cast<float>(rank);
}

// LoCon's Tucker form: down'[a, c·k] = Σ_b mid[a, b, k] · down[b, c].
Matrix through_mid(const LoraModule& module, const Matrix& down, const TensorEntry& mid_entry,
                   Context& ctx) {
    const Matrix mid = matrix_of(ctx, mid_entry);
    const auto& ms = mid_entry.ref.shape;
    if (ms.size() != 4 || ms[1] != down.rows) misfit(module, "lora_mid does not fit lora_down");
    const int64_t taps = ms[2] * ms[3], in = down.cols;
    Matrix out;
    out.rows = ms[0], out.cols = in * taps;
    out.v.assign(static_cast<size_t>(out.rows * out.cols), 0.0f);
    for (int64_t a = 0; a < ms[0]; ++a)
        for (int64_t b = 0; b < ms[1]; ++b)
            for (int64_t c = 0; c < in; ++c) {
                const float d = down.v[static_cast<size_t>(b * in + c)];
                for (int64_t k = 0; k < taps; ++k)
                    out.v[static_cast<size_t>((a * in + c) * taps + k)] +=
                        mid.v[static_cast<size_t>((a * ms[1] + b) * taps + k)] * d;
            }
    return out;
}

Matrix low_rank(Context& ctx, const LoraModule& m) {
    // DoRA rescales each column of the patched weight by its norm: not a difference to add.
    if (m.part("dora_scale"))
        fail(SDN_ERR_UNSUPPORTED, "LoRA module " + m.stem + ": DoRA (dora_scale) is not supported");
    const Matrix up = matrix_of(ctx, *m.part("up"));
    Matrix down = matrix_of(ctx, *m.part("down"));
    const int64_t rank = down.rows;
    if (const TensorEntry* mid = m.part("mid")) down = through_mid(m, down, *mid, ctx);
    Matrix d = product(ctx, m, up, down);
    const float s = alpha_scale(ctx, m, rank);
    for (float& x : d.v) x *= s;
    return d;
}

Matrix loha(Context& ctx, const LoraModule& m) {
    if (m.part("t1") || m.part("t2"))
        fail(SDN_ERR_UNSUPPORTED, "LoRA module " + m.stem + ": LoHa with hada_t1/hada_t2 (Tucker form) is not supported");
    const Matrix w1b = matrix_of(ctx, *m.part("w1_b"));
    Matrix d = product(ctx, m, matrix_of(ctx, *m.part("w1_a")), w1b);
    const Matrix m2 = product(ctx, m, matrix_of(ctx, *m.part("w2_a")), matrix_of(ctx, *m.part("w2_b")));
    if (m2.rows != d.rows || m2.cols != d.cols) misfit(m, "the two Hadamard factors differ in shape");
    const float s = alpha_scale(ctx, m, w1b.rows);
    for (size_t i = 0; i < d.v.size(); ++i) d.v[i] *= m2.v[i] * s;
    return d;
}

// One Kronecker factor: whole (w) or as a product (w_a · w_b). Factored sides set *dim.
Matrix kron_factor(Context& ctx, const LoraModule& m, const std::string& w, int64_t* dim) {
    if (const TensorEntry* whole = m.part(w)) return matrix_of(ctx, *whole);
    const Matrix b = matrix_of(ctx, *m.part(w + "_b"));
    *dim = b.rows;
    return product(ctx, m, matrix_of(ctx, *m.part(w + "_a")), b);
}

Matrix lokr(Context& ctx, const LoraModule& m) {
    if (m.part("t2"))
        fail(SDN_ERR_UNSUPPORTED, "LoRA module " + m.stem + ": LoKr with lokr_t2 (Tucker form) is not supported");
    int64_t dim = 0;
    const Matrix w1 = kron_factor(ctx, m, "w1", &dim);
    const Matrix w2 = kron_factor(ctx, m, "w2", &dim);
    // w2 may be a conv kernel [c, d, kh, kw]: its columns are d input channels × taps.
    int64_t taps = 1;
    if (const TensorEntry* whole = m.part("w2"); whole && whole->ref.shape.size() == 4)
        taps = whole->ref.shape[2] * whole->ref.shape[3];
    const int64_t d_in = w2.cols / taps;
    Matrix out;
    out.rows = w1.rows * w2.rows, out.cols = w1.cols * w2.cols;
    out.v.resize(static_cast<size_t>(out.rows * out.cols));
    for (int64_t i = 0; i < w1.rows; ++i)
        for (int64_t j = 0; j < w1.cols; ++j) {
            const float a = w1.v[static_cast<size_t>(i * w1.cols + j)];
            for (int64_t k = 0; k < w2.rows; ++k)
                for (int64_t l = 0; l < d_in; ++l)
                    for (int64_t t = 0; t < taps; ++t)
                        out.v[static_cast<size_t>((i * w2.rows + k) * out.cols + (j * d_in + l) * taps + t)] =
                            a * w2.v[static_cast<size_t>(k * w2.cols + l * taps + t)];
        }
    const float s = dim > 0 ? alpha_scale(ctx, m, dim) : 1.0f;
    for (float& x : out.v) x *= s;
    return out;
}

}  // namespace

bool is_plain_low_rank(const LoraModule& module) {
    return module.kind == LoraKind::LowRank && !module.part("mid") && !module.part("dora_scale");
}

LowRankFactors lora_low_rank_factors(Context& ctx, const LoraModule& module, int64_t rows,
                                     int64_t cols) {
    Matrix up = matrix_of(ctx, *module.part("up"));
    Matrix down = matrix_of(ctx, *module.part("down"));
    if (up.rows != rows || up.cols != down.rows || down.cols != cols) {
        std::ostringstream msg;
        msg << "factors [" << up.rows << ", " << up.cols << "] and [" << down.rows << ", "
            << down.cols << "] do not make a weight of [" << rows << ", " << cols << "]";
        misfit(module, msg.str());
    }
    const float s = alpha_scale(ctx, module, down.rows);
    for (float& x : up.v) x *= s;
    return {std::move(up.v), std::move(down.v), down.rows};
}

std::vector<float> weight_values(const WeightRef& w, sdn_cpu_variant variant) {
    std::vector<float> out(static_cast<size_t>(w.elements()));
    if (!out.empty()) dequantize_row(w.type, w.data, out.data(), w.elements(), variant);
    return out;
}

std::vector<float> lora_module_delta(Context& ctx, const LoraModule& module, int64_t rows,
                                     int64_t cols) {
    Matrix d;
    switch (module.kind) {
        case LoraKind::LowRank: d = low_rank(ctx, module); break;
        case LoraKind::LoHa: d = loha(ctx, module); break;
        case LoraKind::LoKr: d = lokr(ctx, module); break;
    }
    if (d.rows != rows || d.cols != cols) {
        std::ostringstream msg;
        msg << "makes a [" << d.rows << ", " << d.cols << "] difference for a weight of ["
            << rows << ", " << cols << "]";
        misfit(module, msg.str());
    }
    return std::move(d.v);
}

}  // namespace sdn
