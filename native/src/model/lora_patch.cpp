// Patched copies of the weights LoRA modules adapt.
#include "model/lora_patch.h"

#include <cstring>
#include <utility>

#include "core/error.h"
#include "model/lora_delta.h"
#include "quant/row_ops.h"

namespace sdn {

namespace {

struct ModuleOnTarget {
    const LoraModule* module;
    LoraTarget target;
    size_t application;  // index into the stack
};

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

std::shared_ptr<PatchedWeights> patch_with_loras(Context& ctx,
                                                 const std::vector<LoraApplication>& stack,
                                                 const LoraKeyMap& keys, const WeightLookup& base,
                                                 LoraPatchReport& report) {
    // Per weight, in stack order: the modules that adapt it.
    std::map<std::string, std::vector<ModuleOnTarget>> by_tensor;
    for (size_t i = 0; i < stack.size(); ++i)
        for (const LoraModule& m : stack[i].lora->modules)
            if (auto it = keys.find(m.stem); it != keys.end())
                by_tensor[it->second.tensor].push_back({&m, it->second, i});

    auto patched = std::make_shared<PatchedWeights>();
    for (const auto& [tensor, modules] : by_tensor) {
        ctx.check_cancelled();
        // Earlier LoRAs' misfits were reported when they were applied.
        auto skip = [&](const ModuleOnTarget& m, const std::string& why) {
            if (m.application + 1 == stack.size()) report.skipped.push_back(m.module->stem + ": " + why);
        };
        const WeightRef* w = base(tensor);
        if (!w || !w->valid() || w->shape.empty()) {
            for (const ModuleOnTarget& m : modules) skip(m, tensor + " is not a weight of the network");
            continue;
        }
        const int64_t rows = w->shape[0], cols = w->elements() / rows;
        std::vector<float> values = weight_values(*w, ctx.cpu_variant());
        bool changed = false;
        for (const ModuleOnTarget& m : modules) {
            if (rows % m.target.parts != 0) {
                skip(m, tensor + " does not split into " + std::to_string(m.target.parts) + " equal parts");
                continue;
            }
            const int64_t part_rows = rows / m.target.parts;
            std::vector<float> delta;
            try {
                delta = lora_module_delta(ctx, *m.module, part_rows, cols);
            } catch (const Error& e) {
                if (e.status() != SDN_ERR_FORMAT && e.status() != SDN_ERR_UNSUPPORTED) throw;
                skip(m, std::string(e.what()) + " (" + tensor + ")");
                continue;
            }
            const float strength = stack[m.application].strength;
            float* dst = values.data() + m.target.part * part_rows * cols;
            for (size_t i = 0; i < delta.size(); ++i) dst[i] += strength * delta[i];
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
