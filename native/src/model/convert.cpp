// sdn_convert: reads each tensor, re-encodes it and streams it into a GGUF file, so memory
// holds one tensor at a time.
#include "model/convert.h"

#include <cstring>

#include "core/error.h"
#include "core/half.h"
#include "io/gguf_original_shape.h"
#include "model/checkpoint.h"
#include "model/clip_tokenizer_locator.h"
#include "model/convert_weight_encoding.h"
#include "model/tensor_names.h"
#include "model/test_model_writer.h"

namespace sdn {

void decode_plain_weight(const WeightRef& w, float* out) {
    const int64_t n = w.elements();
    switch (w.type) {
        case DType::F32:
            std::memcpy(out, w.data, static_cast<size_t>(n) * 4);
            return;
        case DType::F16:
        case DType::BF16: {
            const auto* p = static_cast<const uint8_t*>(w.data);
            for (int64_t i = 0; i < n; ++i) {
                uint16_t h;
                std::memcpy(&h, p + 2 * i, 2);
                out[i] = w.type == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
            }
            return;
        }
        default:
            fail(SDN_ERR_UNSUPPORTED, std::string("converting from ") + dtype_traits(w.type).name +
                                          " weights is not supported (source must be f32/f16/bf16)");
    }
}

ConvLayout conv_layout_from_name(const std::string& name) {
    if (name == "flattened") return ConvLayout::Flattened;
    if (name == "f16") return ConvLayout::F16;
    fail(SDN_ERR_INVALID_ARGUMENT, "unknown conv layout '" + name + "' (flattened or f16)");
}

namespace {

constexpr const char* kUnetPrefix = "model.diffusion_model.";

// The stored type of a UNet conv weight [O, C, kh, kw] whose kw is not a whole block of
// `type` but whose rows of C*kh*kw are: `type` in the flattened layout, else f16.
DType flattened_conv_type(const TensorEntry& e, DType planned, DType type, ConvLayout layout) {
    const WeightRef& w = e.ref;
    const DTypeTraits& tr = dtype_traits(type);
    if (layout != ConvLayout::Flattened || planned != DType::F16 || !tr.quantized || w.shape.size() != 4 ||
        e.name.compare(0, std::strlen(kUnetPrefix), kUnetPrefix) != 0)
        return planned;
    return (w.elements() / w.shape[0]) % tr.block_elems == 0 ? type : planned;
}

}  // namespace

void convert_checkpoint(Context& ctx, const std::string& in_path, const std::string& out_path,
                        DType weight_type, const std::string& tokenizer_path, ConvLayout conv_layout) {
    require_writable_weight_type(weight_type, "converting to");
    std::shared_ptr<Checkpoint> ck = Checkpoint::open(in_path);
    const ArchDetection& d = ck->detection();
    require_supported(d, in_path);
    std::vector<const TensorEntry*> entries;
    std::vector<GgufTensorPlan> plan;
    std::vector<GgufMeta> original_shapes;
    for (const TensorEntry& e : ck->file().tensors()) {
        // v_pred is on the ignore list for loading but is the file's prediction marker: keep it.
        if ((is_ignored_tensor(e.name) && e.name != "v_pred") || e.ref.type == DType::I64) continue;
        entries.push_back(&e);
        // Already-quantized tensors keep their blocks: re-quantizing would only add error.
        const DType st = dtype_traits(e.ref.type).quantized
                             ? e.ref.type
                             : flattened_conv_type(e, storage_type_for(e.name, e.ref.shape, weight_type),
                                                   weight_type, conv_layout);
        std::vector<int64_t> shape = e.ref.shape;
        // A quantized conv whose kernel rows split blocks is stored as its O rows of C*kh*kw
        // (what GGUF's row rule and conv2d both read) with its shape under ComfyUI-GGUF's key.
        if (dtype_traits(st).quantized && shape.size() > 2 && shape.back() % dtype_traits(st).block_elems != 0) {
            GgufMeta original;
            original.key = gguf_original_shape_key(e.name);
            for (int64_t dim : shape) original.i32s.push_back(static_cast<int32_t>(dim));
            original_shapes.push_back(std::move(original));
            shape = {shape[0], e.ref.elements() / shape[0]};
        }
        plan.push_back({e.name, shape, st});
    }
    std::vector<GgufMeta> meta{gguf_string("general.architecture", arch_name(d.arch)),
                               gguf_string("general.file_type", dtype_traits(weight_type).name)};
    meta.insert(meta.end(), original_shapes.begin(), original_shapes.end());
    // The CLIP vocabulary travels inside the GGUF (sdnative.clip.merges / .vocab) so the
    // converted file loads without a separate tokenizer. An explicit path must work; a search
    // that finds nothing only means there is nothing to embed.
    if (d.has_clip) {
        std::shared_ptr<ClipTokenizer> tok;
        try {
            tok = locate_clip_tokenizer(&ck->file(), in_path,
                                        tokenizer_path.empty() ? nullptr : tokenizer_path.c_str(),
                                        nullptr);
        } catch (const Error& e) {
            if (!tokenizer_path.empty() || e.status() != SDN_ERR_NOT_FOUND) throw;
            ctx.log(SDN_LOG_INFO, "sdn_convert: no CLIP vocabulary found; none embedded");
        }
        if (tok) {
            GgufMeta merges;
            merges.key = kGgufClipMergesKey;
            merges.strings = tok->merges();
            meta.push_back(std::move(merges));
            GgufMeta vocab;
            vocab.key = kGgufClipVocabKey;
            vocab.strings = tok->vocab();
            meta.push_back(std::move(vocab));
        }
    }
    std::vector<float> values;
    const int total = static_cast<int>(plan.size());
    write_gguf_streaming(out_path, plan, meta, [&](size_t i) {
        ctx.progress(SDN_STAGE_CONVERT, static_cast<int>(i), total);
        const WeightRef& w = entries[i]->ref;
        if (w.type == plan[i].type && dtype_traits(w.type).quantized) {
            const auto* p = static_cast<const uint8_t*>(w.data);
            return std::vector<uint8_t>(p, p + w.nbytes);
        }
        values.resize(static_cast<size_t>(w.elements()));
        decode_plain_weight(w, values.data());
        return encode_weight(values.data(), w.elements(), plan[i].shape.back(), plan[i].type);
    });
    ctx.progress(SDN_STAGE_CONVERT, total, total);
}

}  // namespace sdn
