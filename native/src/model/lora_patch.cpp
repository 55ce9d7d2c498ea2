// Patched copies of the weights LoRA modules adapt.
#include "model/lora_patch.h"

#include <cstring>
#include <utility>

#include "core/error.h"
#include "model/lora_delta.h"
#include "model/lora_side_path.h"
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

WeightRef f32_ref(PatchedWeights& out, std::vector<int64_t> shape, const std::vector<float>& values) {
    WeightRef ref;
    ref.type = DType::F32;
    ref.shape = std::move(shape);
    ref.nbytes = static_cast<int64_t>(values.size() * 4);
    AlignedBuffer<uint8_t> buffer(static_cast<size_t>(ref.nbytes));
    std::memcpy(buffer.data(), values.data(), static_cast<size_t>(ref.nbytes));
    ref.data = buffer.data();
    out.storage.push_back(std::move(buffer));
    return ref;
}

// Quantized 2-D weights of the transformers (every one goes through the UNet's linear helper,
// which adds side paths) adapted only by plain low-rank modules over the whole weight.
bool takes_side_path(const std::string& tensor, const WeightRef& w,
                     const std::vector<ModuleOnTarget>& modules) {
    const bool transformer = tensor.find(".transformer_blocks.") != std::string::npos ||
                             tensor.ends_with(".proj_in.weight") || tensor.ends_with(".proj_out.weight");
    if (!transformer || w.shape.size() != 2 || !dtype_traits(w.type).quantized) return false;
    for (const ModuleOnTarget& m : modules)
        if (!is_plain_low_rank(*m.module) || m.target.parts != 1) return false;
    return true;
}

// The stack's factors concatenated along the rank: down [Σr, in], up [out, Σr] with each
// module's strength · alpha/rank folded into its columns of up.
template <class Skip>
void add_side_path(Context& ctx, PatchedWeights& out, const std::string& tensor, int64_t rows,
                   int64_t cols, const std::vector<ModuleOnTarget>& modules,
                   const std::vector<LoraApplication>& stack, const Skip& skip) {
    std::vector<LowRankFactors> parts;
    std::vector<float> strengths;
    int64_t rank = 0;
    for (const ModuleOnTarget& m : modules) {
        try {
            parts.push_back(lora_low_rank_factors(ctx, *m.module, rows, cols));
        } catch (const Error& e) {
            if (e.status() != SDN_ERR_FORMAT) throw;
            skip(m, std::string(e.what()) + " (" + tensor + ")");
            continue;
        }
        strengths.push_back(stack[m.application].strength);
        rank += parts.back().rank;
    }
    if (rank == 0) return;
    std::vector<float> down(static_cast<size_t>(rank * cols)), up(static_cast<size_t>(rows * rank));
    int64_t r0 = 0;
    for (size_t p = 0; p < parts.size(); ++p) {
        const LowRankFactors& f = parts[p];
        std::copy(f.down.begin(), f.down.end(), down.begin() + r0 * cols);
        for (int64_t i = 0; i < rows; ++i)
            for (int64_t k = 0; k < f.rank; ++k)
                up[static_cast<size_t>(i * rank + r0 + k)] = strengths[p] * f.up[static_cast<size_t>(i * f.rank + k)];
        r0 += f.rank;
    }
    out.refs[tensor + kLoraSideDown] = f32_ref(out, {rank, cols}, down);
    out.refs[tensor + kLoraSideUp] = f32_ref(out, {rows, rank}, up);
    ++out.adapted;
}

}  // namespace

std::shared_ptr<PatchedWeights> patch_with_loras(Context& ctx,
                                                 const std::vector<LoraApplication>& stack,
                                                 const LoraKeyMap& keys, const WeightLookup& base,
                                                 bool side_paths, LoraPatchReport& report) {
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
        if (side_paths && takes_side_path(tensor, *w, modules)) {
            add_side_path(ctx, *patched, tensor, rows, cols, modules, stack, skip);
            continue;
        }
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
        if (changed) {
            patched->refs[tensor] = store(*patched, *w, values, ctx.cpu_variant());
            ++patched->adapted;
        }
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
