// The CPU backend's own behaviour beyond the kernels (which cpu/*_test.cpp check against the
// references): buffers, uploads and downloads, conversions, ownership checks, out-of-memory
// errors, strided attention operands, and that its ops give the kernels' bits exactly.
#include "cpu/cpu_backend.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "cpu/ops.h"
#include "support/float32_variant.h"

namespace {

using namespace sdn;

struct CpuBackendTest : ::testing::Test {
    Context ctx{2, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    Backend& be = ctx.backend();

    DeviceTensor upload(const std::vector<float>& v, const std::vector<int64_t>& shape) {
        DeviceTensor t = be.tensor(shape, "test");
        be.upload(t, v.data());
        return t;
    }
    std::vector<float> download(const TensorView& t) {
        std::vector<float> v(static_cast<size_t>(t.elements()));
        be.download(t, v.data());
        return v;
    }
};

std::vector<float> ramp(size_t n, float scale = 0.01f) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = std::sin(static_cast<float>(i) * 0.7f) * scale * 100;
    return v;
}

TEST_F(CpuBackendTest, NameAndHostVisibility) {
    EXPECT_EQ(be.name(), "cpu");
    EXPECT_TRUE(be.host_visible());
    EXPECT_EQ(be.interface_version(), Backend::kInterfaceVersion);
}

TEST_F(CpuBackendTest, EachActivationKindRunsItsOwnFunction) {
    const std::vector<float> x{-1.0f, 0.5f};
    // relu: 0, 0.5; tanh: -0.76159416, 0.46211716; silu(0.5) = 0.5 / (1 + e^-0.5) = 0.31122967.
    const DeviceTensor r = upload(x, {2}), t = upload(x, {2}), s = upload(x, {2});
    be.activation(Activation::Relu, r);
    be.activation(Activation::Tanh, t);
    be.activation(Activation::Silu, s);
    EXPECT_EQ(download(r), (std::vector<float>{0.0f, 0.5f}));
    EXPECT_NEAR(download(t)[0], -0.76159416f, 1e-7);
    EXPECT_NEAR(download(t)[1], 0.46211716f, 1e-7);
    EXPECT_NEAR(download(s)[1], 0.31122967f, 1e-6);
    // At 1: gelu_erf 0.84134475, gelu_tanh 0.84119199, quick_gelu 0.84579577 (all distinct).
    const struct {
        Activation kind;
        float want;
    } at_one[] = {{Activation::GeluErf, 0.84134475f},
                  {Activation::GeluTanh, 0.84119199f},
                  {Activation::QuickGelu, 0.84579577f}};
    for (const auto& c : at_one) {
        const DeviceTensor one = upload({1.0f}, {1});
        be.activation(c.kind, one);
        EXPECT_NEAR(download(one)[0], c.want, 2e-6) << static_cast<int>(c.kind);
    }
}

TEST_F(CpuBackendTest, UploadDownloadRoundTripsBits) {
    const std::vector<float> v{1.5f, -0.0f, 3.25e-20f, 7.0f, NAN, INFINITY};
    const DeviceTensor t = upload(v, {2, 3});
    const std::vector<float> back = download(t);
    ASSERT_EQ(back.size(), v.size());
    EXPECT_EQ(std::memcmp(back.data(), v.data(), v.size() * sizeof(float)), 0);
}

TEST_F(CpuBackendTest, CopyConvertsToHalfAndBfloatWithRoundToNearestEven) {
    // 1/3 in f16 is 0x3555 = 0.333251953125; in bf16 0x3eab = 0.333984375 (hand-rounded).
    const DeviceTensor src = upload({1.0f, 1.0f / 3.0f, 65504.0f}, {3});
    const DeviceTensor half = be.tensor({3}, "test", DType::F16);
    const DeviceTensor bf = be.tensor({3}, "test", DType::BF16);
    const DeviceTensor back = be.tensor({3}, "test");
    be.copy(src, half);
    be.copy(src, bf);
    std::vector<uint16_t> raw(3);
    be.download(half, raw.data());
    EXPECT_EQ(raw[0], 0x3c00);
    EXPECT_EQ(raw[1], 0x3555);
    EXPECT_EQ(raw[2], 0x7bff);
    be.download(bf, raw.data());
    EXPECT_EQ(raw[1], 0x3eab);
    be.copy(half, back);
    EXPECT_EQ(download(back)[1], 0.333251953125f);
}

TEST_F(CpuBackendTest, RefusesATensorOfAnotherBackend) {
    Context other{1, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend};
    const DeviceTensor foreign = other.backend().tensor({4}, "test");
    const DeviceTensor mine = be.tensor({4}, "test");
    try {
        be.activation(Activation::Silu, foreign);
        FAIL() << "a foreign buffer was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_INVALID_ARGUMENT);
    }
    EXPECT_THROW(be.add(mine, foreign, mine), Error);
}

TEST_F(CpuBackendTest, AnImpossibleAllocationIsAnOutOfMemoryErrorNamingThePurpose) {
    try {
        (void)be.allocate(int64_t(1) << 60, "the test's huge tensor");
        FAIL() << "2^60 bytes were allocated";
    } catch (const Error& e) {
        EXPECT_EQ(e.status(), SDN_ERR_OUT_OF_MEMORY);
        EXPECT_NE(std::string(e.what()).find("the test's huge tensor"), std::string::npos);
    }
}

TEST_F(CpuBackendTest, ShapeMismatchesNameTheOp) {
    const DeviceTensor a = be.tensor({2, 3}, "test"), b = be.tensor({4}, "test");
    try {
        be.add(a, b, a);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("add"), std::string::npos) << e.what();
    }
}

TEST_F(CpuBackendTest, LinearAndGroupNormGiveTheKernelsBitsExactly) {
    // The seam must not change a single bit: same kernel, same arguments.
    const int64_t M = 5, K = 32, N = 7;
    const std::vector<float> x = ramp(M * K), w = ramp(N * K, 0.003f), bias = ramp(N, 0.1f);
    const WeightRef wr{DType::F32, {N, K}, w.data(), N * K * 4};
    const WeightRef br{DType::F32, {N}, bias.data(), N * 4};
    std::vector<float> want(M * N);
    ops::linear(ctx, x.data(), M, K, wr, &br, want.data());
    const DeviceTensor y = be.tensor({M, N}, "test");
    be.linear(upload(x, {M, K}), wr, &br, y, false);
    EXPECT_EQ(download(y), want);

    const std::vector<float> img = ramp(2 * 32 * 9);
    std::vector<float> gn(img.size());
    ops::group_norm(ctx, img.data(), 2, 32, 9, 8, 1e-5f, nullptr, nullptr, gn.data(), true);
    const DeviceTensor g = be.tensor({2, 32, 3, 3}, "test");
    be.group_norm(upload(img, {2, 32, 3, 3}), 8, 1e-5f, nullptr, nullptr, g, true);
    EXPECT_EQ(download(g), gn);
}

TEST_F(CpuBackendTest, AttentionOnColumnsOfAFusedProjectionEqualsSeparateTensors) {
    const int64_t B = 2, N = 6, D = 8, heads = 2;
    const std::vector<float> fused = ramp(B * N * 3 * D);
    std::vector<float> q(B * N * D), k(q.size()), v(q.size());
    for (int64_t r = 0; r < B * N; ++r)
        for (int64_t c = 0; c < D; ++c) {
            q[r * D + c] = fused[r * 3 * D + c];
            k[r * D + c] = fused[r * 3 * D + D + c];
            v[r * D + c] = fused[r * 3 * D + 2 * D + c];
        }
    const DeviceTensor f = upload(fused, {B, N, 3 * D});
    const DeviceTensor out1 = be.tensor({B, N, D}, "test"), out2 = be.tensor({B, N, D}, "test");
    AttentionOp op;
    op.heads = heads;
    op.scale = 0.5f;
    op.causal = true;
    op.q = f.view().columns(0, D), op.k = f.view().columns(D, D), op.v = f.view().columns(2 * D, D);
    op.out = out1;
    be.attention(op);
    const DeviceTensor qd = upload(q, {B, N, D}), kd = upload(k, {B, N, D}),
                       vd = upload(v, {B, N, D});
    op.q = qd, op.k = kd, op.v = vd, op.out = out2;
    be.attention(op);
    EXPECT_EQ(download(out1), download(out2));
}

TEST_F(CpuBackendTest, GatherRowsReadsStoredRowsAsFloat) {
    const std::vector<float> table{0, 1, 2, 10, 11, 12, 20, 21, 22};
    const WeightRef t{DType::F32, {3, 3}, table.data(), 36};
    const DeviceTensor y = be.tensor({4, 3}, "test");
    be.gather_rows(t, {2, 0, 2, 1}, y);
    EXPECT_EQ(download(y), (std::vector<float>{20, 21, 22, 0, 1, 2, 20, 21, 22, 10, 11, 12}));
    EXPECT_THROW(be.gather_rows(t, {0, 3, 0, 0}, y), Error);
}

}  // namespace
