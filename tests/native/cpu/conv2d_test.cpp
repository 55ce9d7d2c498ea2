#include "cpu/ops.h"

#include "cpu/kernel_test_util.h"
#include "support/every_variant.h"
#include "cpu/reference/reference_ops.h"

namespace {

using sdn::DType;
using namespace sdn_test;

struct ConvCase {
    int64_t B, C, H, W, O, k;
    int stride, pad;
};

const ConvCase kCases[] = {
    {1, 3, 5, 7, 5, 3, 1, 1},    // odd everything
    {2, 4, 9, 6, 33, 3, 2, 1},   // batch 2, stride 2 (the UNet downsample)
    {1, 5, 1, 1, 7, 3, 1, 1},    // 1x1 spatial: only the centre tap sees data
    {2, 17, 6, 5, 9, 1, 1, 0},   // 1x1 conv
    {1, 40, 12, 12, 70, 3, 1, 1},  // K = 360 > one vector, N = 144 pixels spans panels
    {1, 8, 8, 8, 3, 3, 2, 0},    // stride 2 without padding
    {1, 32, 3, 40, 20, 3, 1, 0}, // K = 288 crosses the K tile boundary rules; rows wider than a panel
    {2, 96, 4, 64, 40, 3, 1, 1},  // K = 864 in several slices; panels inside rows, both edges padded
    {1, 6, 7, 37, 5, 3, 2, 1},   // stride 2 on rows wider than a panel half, odd width
};

class Conv2dPerVariant : public sdn_test::EveryVariant {};

TEST_P(Conv2dPerVariant, MatchesReferenceForEveryVariantAndStoredType) {
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    for (DType type : {DType::F32, DType::F16, DType::BF16}) {
        for (const auto& c : kCases) {
            SCOPED_TRACE(testing::Message() << dtype_label(type) << " C=" << c.C << " H=" << c.H << " W=" << c.W
                                            << " O=" << c.O << " k=" << c.k << " s=" << c.stride);
            const int64_t Ho = (c.H + 2 * c.pad - c.k) / c.stride + 1, Wo = (c.W + 2 * c.pad - c.k) / c.stride + 1;
            auto x = random_vector(c.B * c.C * c.H * c.W, 11);
            auto w = make_weight(type, {c.O, c.C, c.k, c.k}, random_vector(c.O * c.C * c.k * c.k, 12));
            auto b = make_weight(DType::F32, {c.O}, random_vector(c.O, 13));
            std::vector<float> got(c.B * c.O * Ho * Wo, NAN), want(got.size());
            sdn::ops::conv2d(*ctx, x.data(), c.B, c.C, c.H, c.W, w.ref, &b.ref, c.stride, c.pad, got.data());
            const auto xp = product_operand(v, x);
            const auto wp = product_weight(v, w, stored_values(w));
            sdn::ref::conv2d(xp.data(), c.B, c.C, c.H, c.W, wp.ref, &b.ref, c.stride, c.pad, want.data());
            EXPECT_LT(normalized_error(got, want), 2e-6);
        }
    }
}

TEST_P(Conv2dPerVariant, LongReductionStaysAccurate) {
    // 320 channels x 9 taps = 2880-long dot products, as in the SD UNet.
    const sdn_cpu_variant v = variant();
    auto ctx = variant_context(v);
    const int64_t C = 320, H = 6, W = 6, O = 40;
    auto x = random_vector(C * H * W, 14);
    auto w = make_weight(DType::F16, {O, C, 3, 3}, random_vector(O * C * 9, 15, -0.05f, 0.05f));
    std::vector<float> got(O * H * W), want(O * H * W);
    sdn::ops::conv2d(*ctx, x.data(), 1, C, H, W, w.ref, nullptr, 1, 1, got.data());
    const auto xp = product_operand(v, x);
    const auto wp = product_weight(v, w, stored_values(w));
    sdn::ref::conv2d(xp.data(), 1, C, H, W, wp.ref, nullptr, 1, 1, want.data());
    EXPECT_LT(normalized_error(got, want), 5e-6);
}

TEST(Conv2d, RejectsUnsupportedGeometry) {
    auto ctx = variant_context(SDN_CPU_VARIANT_SCALAR, 1);
    auto w = make_weight(DType::F32, {2, 3, 3, 3}, random_vector(54, 16));
    std::vector<float> x(3 * 16), y(64);
    EXPECT_THROW(sdn::ops::conv2d(*ctx, x.data(), 1, 3, 4, 4, w.ref, nullptr, 3, 1, y.data()), sdn::Error);
    EXPECT_THROW(sdn::ops::conv2d(*ctx, x.data(), 1, 4, 4, 3, w.ref, nullptr, 1, 1, y.data()), sdn::Error);
}

SDN_INSTANTIATE_FOR_VARIANTS(Conv2dPerVariant, ::sdn_test::kAllVariants);

}  // namespace
