// Vulkan element-wise and data-movement ops against the double-precision CPU reference.
#include <cmath>

#include "core/half.h"
#include "cpu/reference/reference_ops.h"
#include "vulkan_test_support.h"

using namespace sdn;
using namespace sdn_test;

TEST(VulkanActivations, MatchReference) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t n = 1001;
    const auto x = random_vector(n, 21, -6.0f, 6.0f);
    const std::pair<Activation, void (*)(float*, int64_t)> cases[] = {
        {Activation::Silu, ref::silu},
        {Activation::GeluErf, ref::gelu_erf},
        {Activation::GeluTanh, ref::gelu_tanh},
        {Activation::QuickGelu, ref::quick_gelu}};
    for (const auto& [kind, reference] : cases) {
        SCOPED_TRACE(static_cast<int>(kind));
        std::vector<float> want = x;
        reference(want.data(), n);
        auto dx = device_vector(*device, x);
        vk::CommandBatch batch(*device);
        vk::activation(batch, at(dx), n, kind);
        batch.submit();
        EXPECT_LT(normalized_error(read_back(*dx, n), want), 2e-6);
    }
}

TEST(VulkanActivations, ReluAndTanhMatchTheirDefinitions) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    auto x = random_vector(515, 29, -5.0f, 5.0f);
    x[0] = -0.0f;
    x[1] = 0.0f;
    std::vector<float> relu(x.size()), tanh_values(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
        relu[i] = x[i] < 0.0f ? 0.0f : x[i];
        tanh_values[i] = static_cast<float>(std::tanh(double(x[i])));
    }
    auto dr = device_vector(*device, x), dt = device_vector(*device, x);
    vk::CommandBatch batch(*device);
    vk::activation(batch, at(dr), int64_t(x.size()), Activation::Relu);
    vk::activation(batch, at(dt), int64_t(x.size()), Activation::Tanh);
    batch.submit();
    const auto got_relu = read_back(*dr, x.size());
    EXPECT_EQ(got_relu, relu);
    EXPECT_TRUE(std::signbit(got_relu[0])) << "-0 passes through ReLU";
    EXPECT_LT(normalized_error(read_back(*dt, x.size()), tanh_values), 2e-6);
}

TEST(VulkanGeglu, MatchesReference) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t rows = 5, d = 33;
    const auto x = random_vector(rows * 2 * d, 22, -3.0f, 3.0f);
    std::vector<float> want(rows * d);
    ref::geglu(x.data(), rows, d, want.data());
    auto dx = device_vector(*device, x);
    auto dy = device_vector(*device, std::vector<float>(rows * d, 0.0f));
    vk::CommandBatch batch(*device);
    vk::geglu(batch, at(dx), rows, d, at(dy));
    batch.submit();
    EXPECT_LT(normalized_error(read_back(*dy, rows * d), want), 2e-6);
}

TEST(VulkanBinary, AddAndMulWithAndWithoutBroadcastInPlace) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t outer = 6, inner = 23;
    const auto a = random_vector(outer * inner, 23);
    for (int64_t b_outer : {int64_t(1), outer}) {
        for (bool multiply : {false, true}) {
            const auto bv = random_vector(b_outer * inner, 24);
            std::vector<float> want(a.size());
            (multiply ? ref::mul : ref::add)(a.data(), bv.data(), outer, inner, b_outer,
                                             want.data());
            auto da = device_vector(*device, a), db = device_vector(*device, bv);
            vk::CommandBatch batch(*device);
            (multiply ? vk::mul : vk::add)(batch, at(da), at(db), outer, inner, b_outer, at(da));
            batch.submit();
            EXPECT_EQ(read_back(*da, a.size()), want)
                << "b_outer " << b_outer << " mul " << multiply;
        }
    }
}

TEST(VulkanDataMovement, ChannelBiasUpsampleConcatTranspose) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t B = 2, C = 3, H = 5, W = 7, HW = H * W, C2 = 4;
    const auto x = random_vector(B * C * HW, 25), v = random_vector(B * C, 26),
               x2 = random_vector(B * C2 * HW, 27);
    auto dx = device_vector(*device, x), dv = device_vector(*device, v),
         dx2 = device_vector(*device, x2);
    auto dup = device_vector(*device, std::vector<float>(B * C * HW * 4, 0.0f));
    auto dcat = device_vector(*device, std::vector<float>(B * (C + C2) * HW, 0.0f));
    auto dtr = device_vector(*device, std::vector<float>(B * C * HW, 0.0f));
    auto dback = device_vector(*device, std::vector<float>(B * C * HW, 0.0f));

    std::vector<float> biased = x, up(B * C * HW * 4), cat(B * (C + C2) * HW), tr(B * C * HW);
    ref::add_channel_bias(biased.data(), v.data(), B, C, HW);
    ref::upsample_nearest2x(biased.data(), B, C, H, W, up.data());
    ref::concat_channels(biased.data(), C, x2.data(), C2, B, HW, cat.data());
    for (int64_t b = 0; b < B; ++b)  // tokens [HW, C] from channels [C, HW], by definition
        for (int64_t c = 0; c < C; ++c)
            for (int64_t p = 0; p < HW; ++p)
                tr[(b * HW + p) * C + c] = biased[(b * C + c) * HW + p];

    vk::CommandBatch batch(*device);  // one batch: each op reads what the previous one wrote
    vk::add_channel_bias(batch, at(dx), at(dv), B, C, HW);
    vk::upsample_nearest2x(batch, at(dx), B, C, H, W, at(dup));
    vk::concat_channels(batch, at(dx), C, at(dx2), C2, B, HW, at(dcat));
    vk::transpose(batch, at(dx), B, C, HW, at(dtr));
    vk::transpose(batch, at(dtr), B, HW, C, at(dback));
    batch.submit();
    EXPECT_EQ(batch.submits(), 1u);
    EXPECT_EQ(read_back(*dx, biased.size()), biased);
    EXPECT_EQ(read_back(*dup, up.size()), up);
    EXPECT_EQ(read_back(*dcat, cat.size()), cat);
    EXPECT_EQ(read_back(*dtr, tr.size()), tr);
    EXPECT_EQ(read_back(*dback, biased.size()), biased);
}

TEST(VulkanTimestepEmbedding, MatchesReferenceForEvenAndOddWidths) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const std::vector<float> t = {0.0f, 1.5f, 999.0f};
    for (int64_t dim : {int64_t(32), int64_t(33)}) {
        std::vector<float> want(t.size() * dim);
        ref::timestep_embedding(t.data(), int64_t(t.size()), dim, want.data());
        auto dt = device_vector(*device, t);
        auto dout = device_vector(*device, std::vector<float>(want.size(), 1.0f));
        vk::CommandBatch batch(*device);
        vk::timestep_embedding(batch, at(dt), int64_t(t.size()), dim, at(dout));
        batch.submit();
        // float arguments up to 999 rad carry ~1e-4 of rounding into sin/cos.
        EXPECT_LT(normalized_error(read_back(*dout, want.size()), want), 5e-4) << "dim " << dim;
    }
}

TEST(VulkanConvert, F32ToF16AndBackRoundsLikeIeeeHalves) {
    SDN_REQUIRE_VULKAN_DEVICE(device);
    const int64_t n = 77;  // odd: the last word holds one half
    const auto x = random_vector(n, 28, -100.0f, 100.0f);
    auto dx = device_vector(*device, x);
    vk::VulkanBuffer halves(*device, 2 * n + 2, "halves");
    auto dy = device_vector(*device, std::vector<float>(n, 0.0f));
    vk::CommandBatch batch(*device);
    vk::convert(batch, at(dx).span(n), DType::F32, {&halves, 0, 2 * n}, DType::F16, n);
    vk::convert(batch, {&halves, 0, 2 * n}, DType::F16, at(dy).span(n), DType::F32, n);
    batch.submit();
    std::vector<uint16_t> got_halves(n);
    halves.download(got_halves.data(), 2 * n);
    const auto back = read_back(*dy, n);
    for (int64_t i = 0; i < n; ++i) {
        EXPECT_EQ(got_halves[i], f32_to_f16(x[i])) << i;
        EXPECT_EQ(back[i], f16_to_f32(f32_to_f16(x[i]))) << i;
    }
}
