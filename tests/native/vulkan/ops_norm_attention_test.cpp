// Vulkan group norm, layer norm and attention against the double-precision CPU reference.
#include <cmath>

#include "cpu/reference/reference_ops.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

TEST(VulkanGroupNorm, MatchesReferenceWithAndWithoutAffineAndSilu) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t B = 2, C = 12, HW = 37;
    const int groups = 4;
    const auto x = random_vector(B * C * HW, 11, -2.0f, 3.0f);
    const OwnedWeight gamma = make_weight(DType::F32, {C}, random_vector(C, 12));
    const OwnedWeight beta = make_weight(DType::F16, {C}, random_vector(C, 13));
    const auto dgamma = vk::VulkanWeight::upload(*device, gamma.ref, "gamma");
    const auto dbeta = vk::VulkanWeight::upload(*device, beta.ref, "beta");
    auto dx = device_vector(*device, x);
    for (bool affine : {true, false}) {
        for (bool silu : {false, true}) {
            SCOPED_TRACE(std::string(affine ? "affine" : "plain") + (silu ? " silu" : ""));
            std::vector<float> want(x.size());
            ref::group_norm(x.data(), B, C, HW, groups, 1e-5f, affine ? &gamma.ref : nullptr,
                            affine ? &beta.ref : nullptr, want.data(), silu);
            auto dy = device_vector(*device, std::vector<float>(x.size(), 0.0f));
            vk::CommandBatch batch(*device);
            vk::group_norm(batch, at(dx), B, C, HW, groups, 1e-5f, affine ? &dgamma : nullptr,
                           affine ? &dbeta : nullptr, at(dy), silu);
            batch.submit();
            EXPECT_LT(normalized_error(read_back(*dy, x.size()), want), 1e-5);
        }
    }
}

TEST(VulkanLayerNorm, MatchesReference) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t rows = 7, dim = 300;  // wider than one 256-invocation workgroup
    const auto x = random_vector(rows * dim, 14, -1.0f, 4.0f);
    const OwnedWeight gamma = make_weight(DType::F32, {dim}, random_vector(dim, 15));
    const OwnedWeight beta = make_weight(DType::F32, {dim}, random_vector(dim, 16));
    std::vector<float> want(x.size());
    ref::layer_norm(x.data(), rows, dim, 1e-5f, &gamma.ref, &beta.ref, want.data());
    auto dx = device_vector(*device, x);
    auto dy = device_vector(*device, std::vector<float>(x.size(), 0.0f));
    const auto dgamma = vk::VulkanWeight::upload(*device, gamma.ref, "gamma");
    const auto dbeta = vk::VulkanWeight::upload(*device, beta.ref, "beta");
    vk::CommandBatch batch(*device);
    vk::layer_norm(batch, at(dx), rows, dim, 1e-5f, &dgamma, &dbeta, at(dy));
    batch.submit();
    EXPECT_LT(normalized_error(read_back(*dy, x.size()), want), 1e-5);
}

TEST(VulkanAttention, MatchesReferenceOnFusedProjectionSlicesAndCausal) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    // q, k and v are column slices of one [tokens, 3 * width] projection, as in CLIP and the
    // UNet's self-attention; head_dim 40 is SD1's first level.
    const int64_t B = 2, N = 13, heads = 3, hd = 40, width = heads * hd, stride = 3 * width;
    const auto qkv = random_vector(B * N * stride, 17, -2.0f, 2.0f);
    auto dqkv = device_vector(*device, qkv);
    for (bool causal : {false, true}) {
        SCOPED_TRACE(causal ? "causal" : "full");
        std::vector<float> want(B * N * width);
        ops::AttentionArgs ra{qkv.data(),
                              qkv.data() + width,
                              qkv.data() + 2 * width,
                              want.data(),
                              B,
                              N,
                              N,
                              heads,
                              hd,
                              stride,
                              stride,
                              stride,
                              width,
                              1.0f / std::sqrt(float(hd)),
                              causal};
        ref::attention(ra);
        auto dout = device_vector(*device, std::vector<float>(want.size(), 0.0f));
        vk::AttentionArgs a{at(dqkv),
                            at(dqkv).at(width),
                            at(dqkv).at(2 * width),
                            at(dout),
                            B,
                            N,
                            N,
                            heads,
                            hd,
                            stride,
                            stride,
                            stride,
                            width,
                            1.0f / std::sqrt(float(hd)),
                            causal};
        vk::CommandBatch batch(*device);
        vk::attention(batch, a);
        batch.submit();
        EXPECT_LT(normalized_error(read_back(*dout, want.size()), want), 1e-5);
    }
}

namespace {

// Attention over packed [B, n, heads * hd] q, k and v: the error of Vulkan's output against the
// double-precision reference.
double vulkan_attention_error(vk::VulkanDevice& device, int64_t B, int64_t nq, int64_t nk,
                              int64_t heads, int64_t hd, float scale, uint64_t seed) {
    const int64_t width = heads * hd;
    const auto q = random_vector(B * nq * width, seed), k = random_vector(B * nk * width, seed + 1),
               v = random_vector(B * nk * width, seed + 2);
    std::vector<float> want(B * nq * width);
    ops::AttentionArgs ra{q.data(), k.data(), v.data(), want.data(), B,     nq,    nk,   heads,
                          hd,       width,    width,    width,       width, scale, false};
    ref::attention(ra);
    auto dq = device_vector(device, q), dk = device_vector(device, k), dv = device_vector(device, v);
    auto dout = device_vector(device, std::vector<float>(want.size(), 0.0f));
    vk::CommandBatch batch(device);
    vk::attention(batch, {at(dq), at(dk), at(dv), at(dout), B, nq, nk, heads, hd, width, width,
                          width, width, scale, false});
    batch.submit();
    return normalized_error(read_back(*dout, want.size()), want);
}

}  // namespace

TEST(VulkanAttention, CrossAttentionWithFewerKeysThanQueries) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    EXPECT_LT(vulkan_attention_error(*device, 1, 21, 5, 2, 8, 0.35f, 18), 1e-5);
}

TEST(VulkanAttention, AHeadWiderThanOneDispatchIsWrittenSliceBySlice) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    // The SD VAE's mid-block attention: one 512-wide head (above the shader's 256 columns), and
    // a width that is not a multiple of 256 so the last slice is partial.
    for (const int64_t hd : {int64_t(512), int64_t(300)})
        EXPECT_LT(vulkan_attention_error(*device, 1, 9, 9, 1, hd, 1.0f / std::sqrt(float(hd)), 21), 1e-5)
            << "head_dim " << hd;
}
