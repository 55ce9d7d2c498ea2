// A device whose binding limit is forced down to 1 KiB, so tensors that fit one binding on a
// real device are split into many dispatches: results must not change.
#include "cpu/reference/reference_ops.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

namespace {
vk::DeviceOptions small_bindings() {
    vk::DeviceOptions o;
    o.max_binding_bytes = 1024;
    return o;
}
}  // namespace

TEST(VulkanBindingSplit, LinearSplitsRowsAndWeightRows) {
    SDN_REQUIRE_VULKAN_DEVICE(device, small_bindings());
    ASSERT_EQ(device->max_binding_bytes(), 1024u);
    for (DType type : {DType::F32, DType::Q4_0}) {
        // x rows of 64 floats (256 B) and y rows of 37 floats: x alone spans 9 KiB.
        uint32_t dispatches = 0;
        EXPECT_LT(linear_error(*device, type, 35, 64, 37, 30, &dispatches), 2e-5)
            << dtype_traits(type).name;
        EXPECT_GT(dispatches, 4u);
    }
}

TEST(VulkanBindingSplit, ConvNormAndElementwiseSplitAtOddOffsets) {
    SDN_REQUIRE_VULKAN_DEVICE(device, small_bindings());
    // Input images of 200 B and output images of 600 B: one or a few per window;
    // inputs start 3 floats into their buffers so windows begin unaligned.
    const int64_t B = 9, C = 2, H = 5, W = 5, O = 6, HW = H * W;
    const auto x = random_vector(B * C * HW + 3, 33);
    const OwnedWeight w = stored_weight(DType::F32, {O, C, 3, 3}, random_vector(O * C * 9, 34));
    std::vector<float> conv(B * O * HW), norm(B * O * HW), act;
    ref::conv2d(x.data() + 3, B, C, H, W, w.ref, nullptr, 1, 1, conv.data());
    ref::group_norm(conv.data(), B, O, HW, 3, 1e-5f, nullptr, nullptr, norm.data(), true);
    act = norm;
    ref::gelu_erf(act.data(), int64_t(act.size()));

    auto dx = device_vector(*device, x);
    auto dconv = device_vector(*device, std::vector<float>(conv.size(), 0.0f));
    auto dnorm = device_vector(*device, std::vector<float>(conv.size(), 0.0f));
    const auto dw = vk::VulkanWeight::upload(*device, w.ref, "w");
    vk::CommandBatch batch(*device);
    vk::conv2d(batch, at(dx).at(3), B, C, H, W, dw, nullptr, 1, 1, at(dconv));
    vk::group_norm(batch, at(dconv), B, O, HW, 3, 1e-5f, nullptr, nullptr, at(dnorm), true);
    vk::activation(batch, at(dnorm), int64_t(act.size()), Activation::GeluErf);
    EXPECT_GT(batch.recorded_dispatches(), 20u);
    batch.submit();
    EXPECT_LT(normalized_error(read_back(*dconv, conv.size()), conv), 2e-5);
    EXPECT_LT(normalized_error(read_back(*dnorm, act.size()), act), 2e-5);
}

TEST(VulkanBindingSplit, RowLargerThanTheLimitIsAClearError) {
    SDN_REQUIRE_VULKAN_DEVICE(device, small_bindings());
    const int64_t K = 512;  // one 2 KiB row
    auto dx = device_vector(*device, random_vector(K, 35));
    auto dy = device_vector(*device, std::vector<float>(2, 0.0f));
    const OwnedWeight w = make_weight(DType::F32, {2, K}, random_vector(2 * K, 36));
    const auto dw = vk::VulkanWeight::upload(*device, w.ref, "w");
    vk::CommandBatch batch(*device);
    try {
        vk::linear(batch, at(dx), 1, K, dw, nullptr, at(dy));
        FAIL() << "a row over the binding limit was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_UNSUPPORTED);
        EXPECT_NE(std::string(e.what()).find("binding limit"), std::string::npos) << e.what();
    }
}
