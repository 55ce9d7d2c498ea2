#include "model/clip_text_model.h"

#include <cmath>
#include <cstring>

#include "core/backend.h"
#include "core/error.h"

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

ClipTextModel::ClipTextModel(const WeightLookup& lookup, const std::string& prefix) {
    WeightBinder bind(lookup, prefix);
    token_embedding_ = bind.raw("embeddings.token_embedding.weight");
    position_embedding_ = bind.raw("embeddings.position_embedding.weight");
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
    while (lookup(prefix + "encoder.layers." + std::to_string(count) + ".layer_norm1.weight"))
        ++count;
    SDN_REQUIRE(count > 0, SDN_ERR_FORMAT,
                "CLIP text model: no encoder layers under " + prefix + "encoder.layers.");
    const WeightRef* fc1 = bind.raw("encoder.layers.0.mlp.fc1.weight");
    bind.finish();
    SDN_REQUIRE(fc1->shape.size() == 2 && fc1->shape[1] == width_, SDN_ERR_FORMAT,
                "CLIP text model: mlp.fc1 has an unexpected shape");
    mlp_width_ = fc1->shape[0];
    const int64_t D = width_, F = mlp_width_;
    for (int64_t i = 0; i < count; ++i) {
        const std::string p = "encoder.layers." + std::to_string(i) + ".";
        Layer l;
        l.ln1 = {bind.get(p + "layer_norm1.weight", {D}), bind.get(p + "layer_norm1.bias", {D})};
        l.ln2 = {bind.get(p + "layer_norm2.weight", {D}), bind.get(p + "layer_norm2.bias", {D})};
        auto lin = [&](const std::string& n, int64_t out, int64_t in) {
            return Linear{bind.get(p + n + ".weight", {out, in}), bind.get(p + n + ".bias", {out})};
        };
        l.q = lin("self_attn.q_proj", D, D);
        l.k = lin("self_attn.k_proj", D, D);
        l.v = lin("self_attn.v_proj", D, D);
        l.out = lin("self_attn.out_proj", D, D);
        l.fc1 = lin("mlp.fc1", F, D);
        l.fc2 = lin("mlp.fc2", D, F);
        layers_.push_back(l);
    }
    final_norm_ = {bind.get("final_layer_norm.weight", {D}), bind.get("final_layer_norm.bias", {D})};
    bind.finish();
    resident_ = bind.found();
    require_row_table(*token_embedding_, "CLIP token embedding");
    require_row_table(*position_embedding_, "CLIP position embedding");
}

ClipTextModel::Output ClipTextModel::forward(Context& ctx, const std::vector<int32_t>& ids,
                                             int64_t n, int64_t T, int clip_skip,
                                             int32_t end_id) const {
    SDN_REQUIRE(n > 0 && T > 0 && static_cast<int64_t>(ids.size()) == n * T,
                SDN_ERR_INVALID_ARGUMENT, "CLIP text model: ids must hold n * T tokens");
    SDN_REQUIRE(T <= positions_, SDN_ERR_INVALID_ARGUMENT,
                "CLIP text model: sequence longer than the position embedding");
    SDN_REQUIRE(clip_skip < 0, SDN_ERR_INVALID_ARGUMENT,
                "clip_skip must be negative (-1 = last layer, -2 = the one before, ...)");
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
    const DeviceTensor q = be.tensor({n, T, D}, "CLIP activations");
    const DeviceTensor k = be.tensor({n, T, D}, "CLIP activations");
    const DeviceTensor v = be.tensor({n, T, D}, "CLIP activations");
    const DeviceTensor a = be.tensor({n, T, D}, "CLIP activations");
    const DeviceTensor f = be.tensor({R, F}, "CLIP activations");
    DeviceTensor selected;
    for (int64_t li = 0; li < L; ++li) {
        const Layer& l = layers_[static_cast<size_t>(li)];
        be.layer_norm(x, kLayerNormEps, l.ln1.gamma, l.ln1.beta, h);
        be.linear(h, *l.q.w, l.q.b, q, false);
        be.linear(h, *l.k.w, l.k.b, k, false);
        be.linear(h, *l.v.w, l.v.b, v, false);
        AttentionOp op;
        op.q = q, op.k = k, op.v = v, op.out = a;
        op.heads = D / kHeadDim;
        op.scale = 1.0f / std::sqrt(static_cast<float>(kHeadDim));
        op.causal = true;
        be.attention(op);
        be.linear(a.view().reshaped({R, D}), *l.out.w, l.out.b, x, /*accumulate=*/true);

        be.layer_norm(x, kLayerNormEps, l.ln2.gamma, l.ln2.beta, h);
        be.linear(h, *l.fc1.w, l.fc1.b, f, false);
        be.activation(Activation::QuickGelu, f);
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
    out.hidden.reset({n, T, D});
    if (target == L - 1) {
        be.download(last, out.hidden.data());
    } else {
        be.layer_norm(selected, kLayerNormEps, final_norm_.gamma, final_norm_.beta, last);
        be.download(last, out.hidden.data());
    }
    return out;
}

}  // namespace sdn
