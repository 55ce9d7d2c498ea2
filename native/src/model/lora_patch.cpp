// Patched copies of the weights LoRA modules adapt.
#include "model/lora_patch.h"

#include <cstring>
#include <utility>

#include "core/error.h"
#include "model/lora_delta.h"
#include "quant/row_ops.h"

namespace sdn {

namespace {

using ModuleOnTarget = std::pair<const LoraModule*, LoraTarget>;

// The stored type of a patched copy: the base's own unless it is quantized (see the header).
DType patched_type(DType base) {
    return base == DType::F32 || base == DType::BF16 ? base : DType::F16;
}

WeightRef store(PatchedWeights& out, const WeightRef& base, const std::vector<float>& values,
                sdn_cpu_variant variant) {
    WeightRef ref;
    ref.type = patched_type(base.type);
    ref.shape = base.shape;
    const int64_t n = static_cast<int64_t>(values.size());
    ref.nbytes = n * (ref.type == DType::F32 ? 4 : 2);
    AlignedBuffer<uint8_t> buffer(static_cast<size_t>(ref.nbytes));
    if (ref.type == DType::F32) std::memcpy(buffer.data(), values.data(), static_cast<size_t>(ref.nbytes));
    else if (ref.type == DType::BF16)
        f32_to_bf16_row(values.data(), reinterpret_cast<uint16_t*>(buffer.data()), n, variant);
    else f32_to_f16_row(values.data(), reinterpret_cast<uint16_t*>(buffer.data()), n, variant);
    ref.data = buffer.data();
    out.storage.push_back(std::move(buffer));
    return ref;
}

}  // namespace

std::shared_ptr<PatchedWeights> patch_with_lora(Context& ctx, const LoraFile& lora,
                                                const LoraKeyMap& keys, const WeightLookup& base,
                                                float strength, LoraPatchReport& report) {
    std::map<std::string, std::vector<ModuleOnTarget>> by_tensor;
    for (const LoraModule& m : lora.modules)
        if (auto it = keys.find(m.stem); it != keys.end())
            by_tensor[it->second.tensor].push_back({&m, it->second});

    auto patched = std::make_shared<PatchedWeights>();
    for (const auto& [tensor, modules] : by_tensor) {
        ctx.check_cancelled();
        const WeightRef* w = base(tensor);
        if (!w || !w->valid() || w->shape.empty()) {
            for (const auto& [m, t] : modules) report.skipped.push_back(m->stem + ": " + tensor + " is not a weight of the network");
            continue;
        }
        const int64_t rows = w->shape[0], cols = w->elements() / rows;
        std::vector<float> values = weight_values(*w, ctx.cpu_variant());
        bool changed = false;
        for (const auto& [m, target] : modules) {
            if (rows % target.parts != 0) {
                report.skipped.push_back(m->stem + ": " + tensor + " does not split into " +
                                         std::to_string(target.parts) + " equal parts");
                continue;
            }
            const int64_t part_rows = rows / target.parts;
            std::vector<float> delta;
            try {
                delta = lora_module_delta(ctx, *m, part_rows, cols);
            } catch (const Error& e) {
                if (e.status() != SDN_ERR_FORMAT && e.status() != SDN_ERR_UNSUPPORTED) throw;
                report.skipped.push_back(std::string(e.what()) + " (" + tensor + ")");
                continue;
            }
            float* dst = values.data() + target.part * part_rows * cols;
            for (size_t i = 0; i < delta.size(); ++i) dst[i] += strength * delta[i];
            report.applied.insert(m->stem);
            changed = true;
        }
        if (changed) patched->refs[tensor] = store(*patched, *w, values, ctx.cpu_variant());
    }
    return patched;
}

WeightLookup overlay_lookup(const PatchedWeights* patched, WeightLookup base) {
    return [patched, base = std::move(base)](const std::string& name) -> const WeightRef* {
        auto it = patched->refs.find(name);
        return it != patched->refs.end() ? &it->second : base(name);
    };
}

}  // namespace sdn
