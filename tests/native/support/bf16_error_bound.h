// How far the bfloat16 (AMX) variant may land from float32, derived from bf16's precision.
//
// bf16 keeps 8 significant bits, so rounding to nearest moves a value by at most 2^-8 of
// itself. The AMX variant rounds both operands of every product (conv2d, linear, the two
// products of attention) and sums in float32, so each product term is off by at most
// 2 * 2^-8 relative; over a dot product with terms of random sign the errors are independent
// and the relative RMS error of the result is at most about sqrt(2/3) * 2^-8 (uniform rounding)
// < 2^-8. Attention also rounds its softmax weights: one more 2^-8. A chain of such steps in
// which every layer passes a relative error on with a gain of at most one (norms in front of
// each block) adds them, so P products allow a relative RMS error of P * 2^-8. The whole UNet
// is too deep for that linear sum to say anything; there the per-product errors, independent
// between layers, add in quadrature with the same allowance of a gain of two as the weight
// rounding bound: 2 * sqrt(P) * 2^-8.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "model/test_model_writer.h"

namespace sdn_test {

constexpr double kBf16Rounding = 1.0 / 256;  // 2^-8

// Products of a spatial transformer: proj_in, proj_out, the feed-forward's two linears, and per
// attention q, k, v, out plus Q K^T, the rounded softmax weights and P V.
constexpr int kAttentionProducts = 7;
constexpr int transformer_products(int attentions) { return 4 + attentions * kAttentionProducts; }

// Every product the UNet evaluates: one per conv or linear weight, plus the attention-internal
// products (Q K^T, softmax rounding, P V) per attention.
inline int unet_products(const std::vector<sdn::TestTensor>& tensors) {
    int products = 0;
    for (const auto& t : tensors) {
        if (t.name.rfind("model.diffusion_model.", 0) != 0 || t.shape.size() < 2) continue;
        ++products;
        if (t.name.find(".to_q.weight") != std::string::npos) products += 3;
    }
    return products;
}

inline double bf16_chain_bound(int products) { return products * kBf16Rounding; }
inline double bf16_deep_bound(int products) { return 2.0 * std::sqrt(double(products)) * kBf16Rounding; }

}  // namespace sdn_test
