// The weight difference one LoRA module describes, as ComfyUI's weight adapters compute it
// (comfy/weight_adapter/{lora,loha,lokr}.py), before the strength is applied:
//  - LowRank (LoRA, LoCon): scale · up·down, with up [out, r(,1,1)] and down [r, in(,kh,kw)]
//    flattened to 2-D; with a `lora_mid` [r, r, kh, kw] (LoCon's Tucker form) the down
//    projection becomes Σ_r' mid[r, r', kh, kw] · down[r', in];
//  - LoHa: scale · (w1_a·w1_b) ⊙ (w2_a·w2_b);
//  - LoKr: scale · kron(w1, w2), each given whole or as a product of two factors.
// scale = alpha / rank when the module has an alpha (rank: down's rows, w1_b's rows for LoHa,
// the factored side's inner size for LoKr), else 1. The result has the target's element count,
// laid out as the target (rows outermost).
#pragma once

#include <cstdint>
#include <vector>

#include "core/context.h"
#include "model/lora_file.h"

namespace sdn {

// Values of a stored tensor as f32 (any stored type).
std::vector<float> weight_values(const WeightRef& w, sdn_cpu_variant variant);

// The difference for a target of `rows` × `cols` values (cols: everything after the outermost
// dimension). Throws Error(SDN_ERR_FORMAT) naming the module when shapes do not fit, and
// Error(SDN_ERR_UNSUPPORTED) for DoRA (dora_scale) and the Tucker forms of LoHa / LoKr
// (hada_t1/t2, lokr_t2).
std::vector<float> lora_module_delta(Context& ctx, const LoraModule& module, int64_t rows,
                                     int64_t cols);

// The factors of a plain low-rank module (no lora_mid, no DoRA), for a side path: up [rows,
// rank] with alpha/rank folded in, down [rank, cols]; up·down is lora_module_delta's result.
struct LowRankFactors {
    std::vector<float> up, down;
    int64_t rank = 0;
};
bool is_plain_low_rank(const LoraModule& module);
// Throws Error(SDN_ERR_FORMAT) naming the module when the factors do not fit rows × cols.
LowRankFactors lora_low_rank_factors(Context& ctx, const LoraModule& module, int64_t rows,
                                     int64_t cols);

}  // namespace sdn
