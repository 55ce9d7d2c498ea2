#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using namespace sdn_test;

// The reference's inputs for this variant. The bf16 variants (AMX, AVX512-BF16) round
// q * scale, k and v to bfloat16 as they pack them, so the reference gets those rounded values (with scale 1); it
// also rounds the unnormalised softmax weights p_j to bfloat16, which no reference input can
// mirror: out = sum p_j v_j / sum p_j with each p_j off by a relative 2^-9 at most moves out by
// at most 2^-9 * max |v_j - out| <= 2^-8 * max |v|, the bound expect_attention_close checks.
struct ReferenceInputs {
    std::vector<float> q, k, v;
    sdn::ops::AttentionArgs args;
};

ReferenceInputs reference_inputs(sdn_cpu_variant variant, const sdn::ops::AttentionArgs& a, size_t q_floats,
                                 size_t k_floats, size_t v_floats) {
    ReferenceInputs r{{a.q, a.q + q_floats}, {a.k, a.k + k_floats}, {a.v, a.v + v_floats}, a};
    if (rounds_products_to_bf16(variant)) {
        for (auto& e : r.q) e = round_to_bf16(e * a.scale);
        r.k = product_operand(variant, r.k);
        r.v = product_operand(variant, r.v);
        r.args.scale = 1.0f;
    }
    r.args.q = r.q.data();
    r.args.k = r.k.data();
    r.args.v = r.v.data();
    return r;
}

void expect_attention_close(sdn_cpu_variant variant, const std::vector<float>& got, const std::vector<float>& want,
                            double f32_tol, float max_abs_v) {
    if (!rounds_products_to_bf16(variant)) {
        EXPECT_LT(normalized_error(got, want), f32_tol);
        return;
    }
    double worst = 0.0;
    for (size_t i = 0; i < want.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - want[i]));
    EXPECT_LE(worst, std::ldexp(1.0, -8) * max_abs_v * 1.01 + 1e-5);
}

struct AttnCase {
    int64_t batch, nq, nk, heads, head_dim;
    bool causal;
};

// q, k and v as slices of one fused [tokens, 3 * heads * head_dim] projection, as CLIP and
// the UNet produce them, so the strides differ from heads * head_dim.
void run_case(sdn_cpu_variant variant, sdn::Context& ctx, const AttnCase& c, double tol) {
    const int64_t width = c.heads * c.head_dim;
    auto qkv_q = random_vector(c.batch * c.nq * 3 * width, 61, -2.0f, 2.0f);
    auto kv = random_vector(c.batch * c.nk * 2 * width, 62, -2.0f, 2.0f);
    sdn::ops::AttentionArgs a{};
    a.q = qkv_q.data();
    a.k = kv.data();
    a.v = kv.data() + width;
    a.batch = c.batch;
    a.nq = c.nq;
    a.nk = c.nk;
    a.heads = c.heads;
    a.head_dim = c.head_dim;
    a.q_stride = 3 * width;
    a.k_stride = a.v_stride = 2 * width;
    a.out_stride = width;
    a.scale = 1.0f / std::sqrt(float(c.head_dim));
    a.causal = c.causal;
    std::vector<float> got(c.batch * c.nq * width), want(got.size());
    a.out = got.data();
    sdn::ops::attention(ctx, a);
    // The kv buffer holds k and v interleaved; v starts `width` floats in.
    auto ref = reference_inputs(variant, a, qkv_q.size(), kv.size(), kv.size() - width);
    ref.args.out = want.data();
    sdn::ref::attention(ref.args);
    expect_attention_close(variant, got, want, tol, 2.0f);
}

class AttentionPerVariant : public sdn_test::EveryVariant {};

TEST_P(AttentionPerVariant, MatchesReferenceForEveryVariant) {
    const AttnCase cases[] = {
        {1, 1, 1, 1, 40, false},   {2, 77, 77, 3, 64, true},  // CLIP-like, causal, batch 2
        {1, 70, 300, 2, 80, false},                            // more keys than one block
        {2, 65, 77, 1, 160, false},                            // cross-attention shape
        {1, 130, 130, 2, 40, true},                            // causal across query blocks
        {1, 40, 50, 2, 33, false},  // odd depth for Q K^T; one live column in V's last half
        {1, 33, 40, 1, 20, false},  // four live columns in the second half of V's only panel
    };
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::Message() << "nq=" << c.nq << " nk=" << c.nk << " d=" << c.head_dim << " causal=" << c.causal);
        run_case(v, *ctx, c, 1e-5);
    }
}

// Long sequences (64x64 and 128x128 latents): the reference only checks a slice of the
// queries, which is enough since every query block runs the same code.
void check_long(int64_t tokens, int64_t head_dim, int64_t checked_queries) {
    const sdn_cpu_variant variant = sdn::best_cpu_variant();
    auto ctx = variant_context(variant);
    auto q = random_vector(tokens * head_dim, 63, -2.0f, 2.0f);
    auto k = random_vector(tokens * head_dim, 64, -2.0f, 2.0f);
    auto v = random_vector(tokens * head_dim, 65, -1.0f, 1.0f);
    sdn::ops::AttentionArgs a{q.data(), k.data(), v.data(), nullptr, 1, tokens, tokens, 1, head_dim,
                              head_dim, head_dim, head_dim, head_dim, 1.0f / std::sqrt(float(head_dim))};
    std::vector<float> got(tokens * head_dim);
    a.out = got.data();
    sdn::ops::attention(*ctx, a);
    // The last queries: the final, partial query block.
    const int64_t q0 = tokens - checked_queries;
    a.q = q.data() + q0 * head_dim;
    a.nq = checked_queries;
    std::vector<float> want(checked_queries * head_dim);
    auto ref = reference_inputs(variant, a, static_cast<size_t>(checked_queries * head_dim), k.size(), v.size());
    ref.args.out = want.data();
    sdn::ref::attention(ref.args);
    std::vector<float> slice(got.begin() + q0 * head_dim, got.end());
    expect_attention_close(variant, slice, want, 1e-5, 1.0f);
}

TEST(Attention, HandlesFourThousandTokens) { check_long(4096, 64, 40); }
TEST(Attention, HandlesSixteenThousandTokens) { check_long(16384, 40, 8); }

TEST(Attention, OneKeyReturnsItsValue) {
    // softmax over a single key is 1, so every output row equals v (hand-derived).
    auto ctx = variant_context(sdn::best_cpu_variant());
    std::vector<float> q = random_vector(5 * 8, 66), k = {0.3f, 1, 2, 3, 4, 5, 6, 7}, v = {1, 2, 3, 4, 5, 6, 7, 8};
    std::vector<float> out(5 * 8);
    sdn::ops::AttentionArgs a{q.data(), k.data(), v.data(), out.data(), 1, 5, 1, 2, 4, 8, 8, 8, 8, 0.5f};
    sdn::ops::attention(*ctx, a);
    for (int i = 0; i < 5; ++i)
        for (int t = 0; t < 8; ++t) EXPECT_FLOAT_EQ(out[i * 8 + t], v[t]);
}

SDN_INSTANTIATE_FOR_VARIANTS(AttentionPerVariant, ::sdn_test::kAllVariants);

}  // namespace
