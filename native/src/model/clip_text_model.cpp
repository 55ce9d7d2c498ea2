#include "model/clip_text_model.h"

#include <cmath>
#include <cstring>

#include "core/backend.h"
#include "core/error.h"
#include "quant/row_ops.h"

namespace sdn {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

class WeightBinder {
public:
    WeightBinder(const WeightLookup& lookup, const std::string& prefix)
        : lookup_(lookup), prefix_(prefix) {}

    const WeightRef* get(const std::string& name, std::vector<int64_t> shape) {
        const WeightRef* w = lookup_(prefix_ + name);
        if (!w) {
            missing_.push_back(prefix_ + name);
            return nullptr;
        }
        found_.push_back(w);
        if (w->shape != shape) {
            fail(SDN_ERR_FORMAT, "CLIP text model: tensor " + prefix_ + name + " has shape " +
                                     shape_text(w->shape) + " where " + shape_text(shape) +
                                     " was expected");
        }
        return w;
    }
    const WeightRef* raw(const std::string& name) {
        const WeightRef* w = lookup_(prefix_ + name);
        if (!w) missing_.push_back(prefix_ + name);
        else found_.push_back(w);
        return w;
    }
    void finish() const {
        if (missing_.empty()) return;
        std::string msg = "CLIP text model: missing tensors:";
        for (size_t i = 0; i < missing_.size() && i < 8; ++i) msg += " " + missing_[i];
        if (missing_.size() > 8) msg += " ... (" + std::to_string(missing_.size()) + " in all)";
        fail(SDN_ERR_FORMAT, msg);
    }
    const std::vector<const WeightRef*>& found() const { return found_; }

private:
    const WeightLookup& lookup_;
    std::string prefix_;
    std::vector<std::string> missing_;
    std::vector<const WeightRef*> found_;
};

// Embedding rows are read whole: the table must hold data in a type whose rows are whole
// blocks (float types, or GGUF blocks that tile the width).
void require_row_table(const WeightRef& w, const char* what) {
    SDN_REQUIRE(w.valid(), SDN_ERR_INVALID_ARGUMENT, std::string(what) + ": weight has no data");
    SDN_REQUIRE(w.type != DType::I64 && dtype_row_bytes(w.type, w.row_elems()) >= 0,
                SDN_ERR_UNSUPPORTED,
                std::string(what) + ": weight type " + dtype_traits(w.type).name +
                    " cannot be used here");
}

}  // namespace

ClipTextModel::ClipTextModel(const WeightLookup& lookup, const std::string& prefix)
    : ClipTextModel(lookup, ClipTextSpec{prefix}) {}

namespace {

// The names of one encoder's tensors in its checkpoint layout.
struct ClipNames {
    std::string token_embedding, position_embedding, layer_prefix, final_norm;
    std::string ln1, ln2, out, fc1, fc2;

    explicit ClipNames(bool open_clip) {
        if (open_clip) {
            token_embedding = "token_embedding.weight";
            position_embedding = "positional_embedding";
            layer_prefix = "transformer.resblocks.";
            final_norm = "ln_final";
            ln1 = "ln_1", ln2 = "ln_2", out = "attn.out_proj", fc1 = "mlp.c_fc",
            fc2 = "mlp.c_proj";
        } else {
            token_embedding = "embeddings.token_embedding.weight";
            position_embedding = "embeddings.position_embedding.weight";
            layer_prefix = "encoder.layers.";
            final_norm = "final_layer_norm";
            ln1 = "layer_norm1", ln2 = "layer_norm2", out = "self_attn.out_proj",
            fc1 = "mlp.fc1", fc2 = "mlp.fc2";
        }
    }
};

}  // namespace

ClipTextModel::ClipTextModel(const WeightLookup& lookup, const ClipTextSpec& spec) : spec_(spec) {
    const std::string& prefix = spec.prefix;
    const ClipNames names(spec.open_clip_names);
    WeightBinder bind(lookup, prefix);
    token_embedding_ = bind.raw(names.token_embedding);
    position_embedding_ = bind.raw(names.position_embedding);
    bind.finish();
    SDN_REQUIRE(token_embedding_->shape.size() == 2 && position_embedding_->shape.size() == 2 &&
                    token_embedding_->shape[1] == position_embedding_->shape[1],
                SDN_ERR_FORMAT, "CLIP text model: embedding tensors have unexpected shapes");
    vocab_ = token_embedding_->shape[0];
    positions_ = position_embedding_->shape[0];
    width_ = token_embedding_->shape[1];
    SDN_REQUIRE(width_ > 0 && width_ % kHeadDim == 0, SDN_ERR_FORMAT,
                "CLIP text model: width " + std::to_string(width_) +
                    " is not a multiple of the 64-wide attention heads");
    int64_t count = 0;
    while (lookup(prefix + names.layer_prefix + std::to_string(count) + "." + names.ln1 + ".weight"))
        ++count;
    SDN_REQUIRE(count > 0, SDN_ERR_FORMAT,
                "CLIP text model: no encoder layers under " + prefix + names.layer_prefix);
    const WeightRef* fc1 = bind.raw(names.layer_prefix + "0." + names.fc1 + ".weight");
    bind.finish();
    SDN_REQUIRE(fc1->shape.size() == 2 && fc1->shape[1] == width_, SDN_ERR_FORMAT,
                "CLIP text model: " + names.fc1 + " has an unexpected shape");
    mlp_width_ = fc1->shape[0];
    const int64_t D = width_, F = mlp_width_;
    for (int64_t i = 0; i < count; ++i) {
        const std::string p = names.layer_prefix + std::to_string(i) + ".";
        Layer l;
        auto norm = [&](const std::string& n) {
            return Norm{bind.get(p + n + ".weight", {D}), bind.get(p + n + ".bias", {D})};
        };
        auto lin = [&](const std::string& n, int64_t out, int64_t in) {
            return Linear{bind.get(p + n + ".weight", {out, in}), bind.get(p + n + ".bias", {out})};
        };
        l.ln1 = norm(names.ln1);
        l.ln2 = norm(names.ln2);
        if (spec.open_clip_names) {
            l.qkv = Linear{bind.get(p + "attn.in_proj_weight", {3 * D, D}),
                           bind.get(p + "attn.in_proj_bias", {3 * D})};
        } else {
            l.q = lin("self_attn.q_proj", D, D);
            l.k = lin("self_attn.k_proj", D, D);
            l.v = lin("self_attn.v_proj", D, D);
        }
        l.out = lin(names.out, D, D);
        l.fc1 = lin(names.fc1, F, D);
        l.fc2 = lin(names.fc2, D, F);
        layers_.push_back(l);
    }
    final_norm_ = {bind.get(names.final_norm + ".weight", {D}),
                   bind.get(names.final_norm + ".bias", {D})};
    bind.finish();
    find_projection(lookup);
    resident_ = bind.found();
    require_row_table(*token_embedding_, "CLIP token embedding");
    require_row_table(*position_embedding_, "CLIP position embedding");
}

void ClipTextModel::find_projection(const WeightLookup& lookup) {
    const std::string& prefix = spec_.prefix;
    const int64_t D = width_;
    std::string name = prefix + "text_projection";
    if (!spec_.open_clip_names) {
        // Transformers files keep the projection beside text_model., as a Linear weight
        // [out, width] (pooled = x * W^T); files saved by ComfyUI's old CLIPSave node keep
        // OpenCLIP's [width, out] matrix under the bare name instead.
        static const std::string kTextModel = "text_model.";
        const bool nested = prefix.size() >= kTextModel.size() &&
                            prefix.compare(prefix.size() - kTextModel.size(), kTextModel.size(), kTextModel) == 0;
        const std::string root = nested ? prefix.substr(0, prefix.size() - kTextModel.size()) : prefix;
        name = root + "text_projection";
        if (const WeightRef* linear = lookup(name + ".weight")) {
            projection_ = linear;
            projection_is_linear_ = true;
            name += ".weight";
        } else {
            projection_ = lookup(name);
        }
    } else {
        projection_ = lookup(name);
    }
    if (!projection_) return;
    const size_t in_axis = projection_is_linear_ ? 1 : 0;
    SDN_REQUIRE(projection_->shape.size() == 2 && projection_->shape[in_axis] == D &&
                    dtype_row_bytes(projection_->type, projection_->row_elems()) >= 0,
                SDN_ERR_FORMAT,
                "CLIP text model: " + name + " must be " +
                    (projection_is_linear_ ? "[n, " + std::to_string(D) + "]"
                                           : "[" + std::to_string(D) + ", n]") +
                    " in a row-readable type");
}

int64_t ClipTextModel::pooled_width() const {
    if (!projection_) return width_;
    return projection_->shape[projection_is_linear_ ? 0 : 1];
}

void ClipTextModel::project_pooled(Tensor& pooled) const {
    if (!projection_) return;
    const int64_t n = pooled.dim(0), D = width_, P = pooled_width();
    const int64_t stored_rows = projection_->shape[0], row_len = projection_->shape[1];
    const int64_t row_bytes = dtype_row_bytes(projection_->type, row_len);
    std::vector<float> row(static_cast<size_t>(row_len));
    std::vector<double> acc(static_cast<size_t>(n * P), 0.0);
    for (int64_t r = 0; r < stored_rows; ++r) {
        dequantize_row_reference(projection_->type,
                                 static_cast<const uint8_t*>(projection_->data) + r * row_bytes,
                                 row.data(), row_len);
        for (int64_t s = 0; s < n; ++s) {
            const float* x = pooled.data() + s * D;
            double* a = acc.data() + s * P;
            if (projection_is_linear_) {
                // Linear weight: out[s, r] = sum_i x[s, i] * W[r, i], row r is one output.
                double dot = 0.0;
                for (int64_t i = 0; i < D; ++i) dot += static_cast<double>(x[i]) * row[static_cast<size_t>(i)];
                a[r] = dot;
            } else {
                // Matrix: out[s, j] = sum_i x[s, i] * P[i, j], row r of P scaled by x[s, r].
                const double xr = x[r];
                for (int64_t j = 0; j < P; ++j) a[j] += xr * row[static_cast<size_t>(j)];
            }
        }
    }
    pooled.reset({n, P});
    for (int64_t k = 0; k < n * P; ++k) pooled.data()[k] = static_cast<float>(acc[static_cast<size_t>(k)]);
}

ClipTextModel::Output ClipTextModel::forward(Context& ctx, const std::vector<int32_t>& ids,
                                             int64_t n, int64_t T, int clip_skip,
                                             int32_t end_id) const {
    SDN_REQUIRE(n > 0 && T > 0 && static_cast<int64_t>(ids.size()) == n * T,
                SDN_ERR_INVALID_ARGUMENT, "CLIP text model: ids must hold n * T tokens");
    SDN_REQUIRE(T <= positions_, SDN_ERR_INVALID_ARGUMENT,
                "CLIP text model: sequence longer than the position embedding");
    SDN_REQUIRE(clip_skip <= 0, SDN_ERR_INVALID_ARGUMENT,
                "clip_skip must be negative (-1 = last layer, -2 = the one before, ...) or 0 "
                "(the model's default layer)");
    if (clip_skip == 0) clip_skip = spec_.default_layer;
    for (int32_t id : ids)
        SDN_REQUIRE(id >= 0 && id < vocab_, SDN_ERR_INVALID_ARGUMENT,
                    "CLIP text model: token id " + std::to_string(id) + " outside the vocabulary");

    const int64_t L = layers(), D = width_, F = mlp_width_, R = n * T;
    // ComfyUI: an index beyond the layer count falls back to the last layer.
    const int64_t target = (-static_cast<int64_t>(clip_skip) > L) ? L - 1 : L + clip_skip;
    Backend& be = ctx.backend();
    be.make_resident(resident_, residency_);

    ctx.check_cancelled();
    // Token ids and position indices are the host inputs; the sequence stays on the backend
    // until the outputs come back at the end.
    const DeviceTensor x = be.tensor({R, D}, "CLIP activations");
    const DeviceTensor pos = be.tensor({T, D}, "CLIP activations");
    {
        std::vector<int32_t> positions(static_cast<size_t>(T));
        for (int64_t t = 0; t < T; ++t) positions[static_cast<size_t>(t)] = static_cast<int32_t>(t);
        be.gather_rows(*token_embedding_, ids, x);
        be.gather_rows(*position_embedding_, positions, pos);
        be.add(x, pos, x);
    }
    ctx.note_scratch_bytes((R * D * 6 + R * F) * static_cast<int64_t>(sizeof(float)));

    const DeviceTensor h = be.tensor({R, D}, "CLIP activations");
    // OpenCLIP's fused projection writes q, k and v side by side; attention reads them as
    // column views.
    const bool fused = spec_.open_clip_names;
    const DeviceTensor qkv = be.tensor({n, T, fused ? 3 * D : D}, "CLIP activations");
    const DeviceTensor k = be.tensor({n, T, fused ? 1 : D}, "CLIP activations");
    const DeviceTensor v = be.tensor({n, T, fused ? 1 : D}, "CLIP activations");
    const DeviceTensor a = be.tensor({n, T, D}, "CLIP activations");
    const DeviceTensor f = be.tensor({R, F}, "CLIP activations");
    DeviceTensor selected;
    for (int64_t li = 0; li < L; ++li) {
        const Layer& l = layers_[static_cast<size_t>(li)];
        be.layer_norm(x, kLayerNormEps, l.ln1.gamma, l.ln1.beta, h);
        AttentionOp op;
        if (fused) {
            be.linear(h, *l.qkv.w, l.qkv.b, qkv.view().reshaped({R, 3 * D}), false);
            op.q = qkv.view().columns(0, D);
            op.k = qkv.view().columns(D, D);
            op.v = qkv.view().columns(2 * D, D);
        } else {
            be.linear(h, *l.q.w, l.q.b, qkv, false);
            be.linear(h, *l.k.w, l.k.b, k, false);
            be.linear(h, *l.v.w, l.v.b, v, false);
            op.q = qkv, op.k = k, op.v = v;
        }
        op.out = a;
        op.heads = D / kHeadDim;
        op.scale = 1.0f / std::sqrt(static_cast<float>(kHeadDim));
        op.causal = true;
        be.attention(op);
        be.linear(a.view().reshaped({R, D}), *l.out.w, l.out.b, x, /*accumulate=*/true);

        be.layer_norm(x, kLayerNormEps, l.ln2.gamma, l.ln2.beta, h);
        be.linear(h, *l.fc1.w, l.fc1.b, f, false);
        be.activation(spec_.activation, f);
        be.linear(f, *l.fc2.w, l.fc2.b, x, /*accumulate=*/true);

        if (li == target && li != L - 1) {
            selected = be.tensor({R, D}, "CLIP activations");
            be.copy(x, selected);
        }
        be.submit();
        ctx.progress(SDN_STAGE_TEXT_ENCODE, static_cast<int>(li + 1), static_cast<int>(L));
    }

    Output out;
    const DeviceTensor last = be.tensor({R, D}, "CLIP activations");
    be.layer_norm(x, kLayerNormEps, final_norm_.gamma, final_norm_.beta, last);
    const DeviceTensor pooled = be.tensor({n, D}, "CLIP activations");
    for (int64_t s = 0; s < n; ++s) {
        int64_t at = 0;  // argmax of (id == end): the first end token, else position 0
        for (int64_t t = 0; t < T; ++t) {
            if (ids[static_cast<size_t>(s * T + t)] == end_id) {
                at = t;
                break;
            }
        }
        be.copy(last.view().slice(s * T + at, 1), pooled.view().slice(s, 1));
    }
    out.pooled.reset({n, D});
    be.download(pooled, out.pooled.data());
    project_pooled(out.pooled);
    out.hidden.reset({n, T, D});
    if (target == L - 1) {
        // ComfyUI's "last" layer carries the final LayerNorm; a hidden layer index that
        // lands on the last layer does so only with layer_norm_hidden_state.
        if (spec_.norm_hidden || clip_skip < -L) be.download(last, out.hidden.data());
        else be.download(x, out.hidden.data());
    } else if (spec_.norm_hidden) {
        be.layer_norm(selected, kLayerNormEps, final_norm_.gamma, final_norm_.beta, last);
        be.download(last, out.hidden.data());
    } else {
        be.download(selected, out.hidden.data());
    }
    return out;
}

}  // namespace sdn
