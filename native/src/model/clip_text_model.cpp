#include "model/clip_text_model.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "cpu/kernel_table.h"
#include "cpu/ops.h"
#include "cpu/weight_rows.h"

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
        return w;
    }
    void finish() const {
        if (missing_.empty()) return;
        std::string msg = "CLIP text model: missing tensors:";
        for (size_t i = 0; i < missing_.size() && i < 8; ++i) msg += " " + missing_[i];
        if (missing_.size() > 8) msg += " ... (" + std::to_string(missing_.size()) + " in all)";
        fail(SDN_ERR_FORMAT, msg);
    }

private:
    const WeightLookup& lookup_;
    std::string prefix_;
    std::vector<std::string> missing_;
};

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
    cpu::require_readable_weight(*token_embedding_, "CLIP token embedding");
    cpu::require_readable_weight(*position_embedding_, "CLIP position embedding");
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
    const auto& kt = cpu::kernels(ctx);

    ctx.check_cancelled();
    Tensor x({R, D});
    {
        std::vector<float> pos(static_cast<size_t>(D));
        for (int64_t r = 0; r < R; ++r) {
            float* row = x.data() + r * D;
            cpu::weight_row_f32(kt, *token_embedding_, ids[static_cast<size_t>(r)], 0, D, row);
            cpu::weight_row_f32(kt, *position_embedding_, r % T, 0, D, pos.data());
            for (int64_t c = 0; c < D; ++c) row[c] += pos[static_cast<size_t>(c)];
        }
    }
    ctx.note_scratch_bytes((R * D * 6 + R * F) * static_cast<int64_t>(sizeof(float)));

    Tensor h({R, D}), q({R, D}), k({R, D}), v({R, D}), a({R, D}), f({R, F});
    Tensor selected;
    for (int64_t li = 0; li < L; ++li) {
        const Layer& l = layers_[static_cast<size_t>(li)];
        ops::layer_norm(ctx, x.data(), R, D, kLayerNormEps, l.ln1.gamma, l.ln1.beta, h.data());
        ops::linear(ctx, h.data(), R, D, *l.q.w, l.q.b, q.data());
        ops::linear(ctx, h.data(), R, D, *l.k.w, l.k.b, k.data());
        ops::linear(ctx, h.data(), R, D, *l.v.w, l.v.b, v.data());
        ops::AttentionArgs args{};
        args.q = q.data();
        args.k = k.data();
        args.v = v.data();
        args.out = a.data();
        args.batch = n;
        args.nq = args.nk = T;
        args.heads = D / kHeadDim;
        args.head_dim = kHeadDim;
        args.q_stride = args.k_stride = args.v_stride = args.out_stride = D;
        args.scale = 1.0f / std::sqrt(static_cast<float>(kHeadDim));
        args.causal = true;
        ops::attention(ctx, args);
        ops::linear(ctx, a.data(), R, D, *l.out.w, l.out.b, x.data(), /*accumulate=*/true);

        ops::layer_norm(ctx, x.data(), R, D, kLayerNormEps, l.ln2.gamma, l.ln2.beta, h.data());
        ops::linear(ctx, h.data(), R, D, *l.fc1.w, l.fc1.b, f.data());
        ops::quick_gelu(ctx, f.data(), R * F);
        ops::linear(ctx, f.data(), R, F, *l.fc2.w, l.fc2.b, x.data(), /*accumulate=*/true);

        if (li == target && li != L - 1) {
            selected.reset({R, D});
            std::memcpy(selected.data(), x.data(), static_cast<size_t>(R * D) * sizeof(float));
        }
        ctx.progress(SDN_STAGE_TEXT_ENCODE, static_cast<int>(li + 1), static_cast<int>(L));
    }

    Output out;
    Tensor last({R, D});
    ops::layer_norm(ctx, x.data(), R, D, kLayerNormEps, final_norm_.gamma, final_norm_.beta,
                    last.data());
    out.pooled.reset({n, D});
    for (int64_t s = 0; s < n; ++s) {
        int64_t at = 0;  // argmax of (id == end): the first end token, else position 0
        for (int64_t t = 0; t < T; ++t) {
            if (ids[static_cast<size_t>(s * T + t)] == end_id) {
                at = t;
                break;
            }
        }
        std::memcpy(out.pooled.data() + s * D, last.data() + (s * T + at) * D,
                    static_cast<size_t>(D) * sizeof(float));
    }
    out.hidden.reset({n, T, D});
    if (target == L - 1) {
        std::memcpy(out.hidden.data(), last.data(), static_cast<size_t>(R * D) * sizeof(float));
    } else {
        ops::layer_norm(ctx, selected.data(), R, D, kLayerNormEps, final_norm_.gamma,
                        final_norm_.beta, out.hidden.data());
    }
    return out;
}

}  // namespace sdn
