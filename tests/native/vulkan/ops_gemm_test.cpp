// Vulkan linear and conv2d against the double-precision CPU reference, for every weight type
// the shaders decode, on small shapes that leave partial 16x16 tiles.
#include "cpu/reference/reference_ops.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

namespace {

// K a multiple of every block size (256 for the K-quants), small enough for lavapipe.
int64_t inner_for(DType t) { return dtype_traits(t).block_elems == 256 ? 256 : 64; }

}  // namespace

TEST(VulkanLinear, MatchesReferenceForEveryWeightType) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    for (DType type : vulkan_weight_types()) {
        SCOPED_TRACE(dtype_traits(type).name);
        EXPECT_LT(linear_error(*device, type, 5, inner_for(type), 19, 1), 2e-5);
    }
}

TEST(VulkanLinear, AccumulatesWithoutBias) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t M = 3, K = 40, N = 17;
    const auto x = random_vector(M * K, 4);
    const auto y0 = random_vector(M * N, 5);
    const OwnedWeight w = make_weight(DType::F32, {N, K}, random_vector(N * K, 6));
    std::vector<float> want = y0;
    ref::linear(x.data(), M, K, w.ref, nullptr, want.data(), true);
    auto dx = device_vector(*device, x);
    auto dy = device_vector(*device, y0);
    const auto dw = vk::VulkanWeight::upload(*device, w.ref, "w");
    vk::CommandBatch batch(*device);
    vk::linear(batch, at(dx), M, K, dw, nullptr, at(dy), true);
    batch.submit();
    EXPECT_LT(normalized_error(read_back(*dy, M * N), want), 2e-5);
}

struct ConvCase {
    int k, stride, pad;
};

TEST(VulkanConv2d, MatchesReferenceForKernelsStridesAndTypes) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const ConvCase cases[] = {{3, 1, 1}, {3, 2, 1}, {1, 1, 0}, {3, 2, 0}};
    const DType types[] = {DType::F32, DType::F16, DType::Q8_0, DType::Q4_K};
    for (DType type : types) {
        for (const ConvCase& c : cases) {
            SCOPED_TRACE(std::string(dtype_traits(type).name) + " k" + std::to_string(c.k) + " s" +
                         std::to_string(c.stride) + " p" + std::to_string(c.pad));
            // C * k * k must fill whole blocks of the weight type.
            const int64_t block = dtype_traits(type).block_elems;
            const int64_t C = block == 1 ? 3 : (block == 32 ? (c.k == 3 ? 32 : 64) : 256);
            const int64_t B = 2, H = 7, W = 6, O = 18;
            const auto x = random_vector(B * C * H * W, 7);
            const OwnedWeight w =
                stored_weight(type, {O, C, c.k, c.k}, random_vector(O * C * c.k * c.k, 8));
            const OwnedWeight bias = make_weight(DType::F32, {O}, random_vector(O, 9));
            const int64_t Ho = (H + 2 * c.pad - c.k) / c.stride + 1,
                          Wo = (W + 2 * c.pad - c.k) / c.stride + 1;
            std::vector<float> want(B * O * Ho * Wo);
            ref::conv2d(x.data(), B, C, H, W, w.ref, &bias.ref, c.stride, c.pad, want.data());

            auto dx = device_vector(*device, x);
            auto dy = device_vector(*device, std::vector<float>(want.size(), 0.0f));
            const auto dw = vk::VulkanWeight::upload(*device, w.ref, "w");
            const auto db = vk::VulkanWeight::upload(*device, bias.ref, "bias");
            vk::CommandBatch batch(*device);
            vk::conv2d(batch, at(dx), B, C, H, W, dw, &db, c.stride, c.pad, at(dy));
            batch.submit();
            EXPECT_LT(normalized_error(read_back(*dy, want.size()), want), 2e-5);
        }
    }
}

TEST(VulkanWeight, RefusesTypesTheShadersCannotDecode) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const OwnedWeight w = stored_weight(DType::Q3_K, {2, 256}, random_vector(512, 10));
    try {
        vk::VulkanWeight::upload(*device, w.ref, "blocks.0.weight");
        FAIL() << "q3_K was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
        EXPECT_NE(std::string(e.what()).find("blocks.0.weight"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("q3_K"), std::string::npos) << e.what();
    }
}
