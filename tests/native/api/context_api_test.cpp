// The C API's conventions: status codes, per-context errors, per-context callbacks.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/cpu_features.h"
#include "sdnative.h"

namespace {

struct ContextDeleter {
    void operator()(sdn_context* c) const { sdn_context_free(c); }
};
using ContextPtr = std::unique_ptr<sdn_context, ContextDeleter>;

ContextPtr make_context(int variant = SDN_CPU_VARIANT_AUTO, int threads = 0) {
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.cpu_variant = variant;
    o.n_threads = threads;
    sdn_context* c = nullptr;
    EXPECT_EQ(sdn_context_create(&o, &c), SDN_OK);
    return ContextPtr(c);
}

TEST(ContextApi, AbiVersionMatchesHeader) { EXPECT_EQ(sdn_abi_version(), SDN_ABI_VERSION); }

TEST(ContextApi, SystemInfoReportsCpuAndBackends) {
    sdn_system_info_t info{};
    ASSERT_EQ(sdn_system_info(&info), SDN_OK);
    EXPECT_EQ(info.struct_size, sizeof(info));
    EXPECT_GE(info.physical_cores, 1);
    EXPECT_GE(info.logical_cores, info.physical_cores);
    EXPECT_EQ(info.default_threads, info.physical_cores);
    EXPECT_TRUE(info.backends & SDN_BACKEND_CPU);
    EXPECT_GT(std::string(info.cpu_name).size(), 0u);
    std::printf("cpu: %s, features 0x%x, best variant %s\n", info.cpu_name, info.cpu_features,
                sdn::cpu_variant_name(static_cast<sdn_cpu_variant>(info.best_cpu_variant)));
}

TEST(ContextApi, DefaultThreadsArePhysicalCores) {
    auto ctx = make_context();
    sdn_system_info_t info{};
    sdn_system_info(&info);
    EXPECT_EQ(sdn_context_thread_count(ctx.get()), info.physical_cores);
    auto three = make_context(SDN_CPU_VARIANT_AUTO, 3);
    EXPECT_EQ(sdn_context_thread_count(three.get()), 3);
}

TEST(ContextApi, ForcedVariantIsHonouredOrRefused) {
    for (int v : {SDN_CPU_VARIANT_SCALAR, SDN_CPU_VARIANT_AVX2, SDN_CPU_VARIANT_AVX512, SDN_CPU_VARIANT_AVX512_AMX,
                  SDN_CPU_VARIANT_AVX512_BF16}) {
        sdn_context_options_t o;
        sdn_context_options_init(&o);
        o.cpu_variant = v;
        sdn_context* c = nullptr;
        sdn_status s = sdn_context_create(&o, &c);
        if (sdn::cpu_variant_supported(static_cast<sdn_cpu_variant>(v))) {
            ASSERT_EQ(s, SDN_OK);
            EXPECT_EQ(sdn_context_cpu_variant(c), v);
            sdn_context_free(c);
        } else {
            EXPECT_EQ(s, SDN_ERR_UNSUPPORTED);
            EXPECT_EQ(c, nullptr);
        }
    }
}

TEST(ContextApi, UnknownVariantIsRejected) {
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.cpu_variant = SDN_CPU_VARIANT_AVX512_BF16 + 1;
    sdn_context* c = nullptr;
    EXPECT_EQ(sdn_context_create(&o, &c), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(c, nullptr);
}

TEST(ContextApi, BadArgumentsGiveStatusNotCrash) {
    EXPECT_EQ(sdn_context_create(nullptr, nullptr), SDN_ERR_INVALID_ARGUMENT);
    sdn_context_options_t o;
    sdn_context_options_init(&o);
    o.struct_size = 3;
    sdn_context* c = nullptr;
    EXPECT_EQ(sdn_context_create(&o, &c), SDN_ERR_INVALID_ARGUMENT);
    o.struct_size = sizeof(o);
    o.cpu_variant = 99;
    EXPECT_EQ(sdn_context_create(&o, &c), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_STREQ(sdn_status_name(SDN_ERR_CANCELLED), "cancelled");
    EXPECT_STREQ(sdn_context_last_error(nullptr), "context is NULL");
}

TEST(ContextApi, TensorRoundTripAndErrorsLandOnTheContext) {
    int64_t dims[2] = {2, 3};
    float data[6] = {1, 2, 3, 4, 5, 6};
    sdn_tensor* t = nullptr;
    ASSERT_EQ(sdn_tensor_create(2, dims, data, &t), SDN_OK);
    int64_t out[4];
    sdn_tensor_dims(t, out);
    EXPECT_EQ(out[0], 2);
    EXPECT_EQ(out[1], 3);
    EXPECT_EQ(out[2], 1);
    EXPECT_EQ(sdn_tensor_element_count(t), 6);
    EXPECT_EQ(sdn_tensor_data(t)[5], 6.0f);
    sdn_tensor_free(t);
    int64_t bad[1] = {-1};
    EXPECT_EQ(sdn_tensor_create(1, bad, nullptr, &t), SDN_ERR_INVALID_ARGUMENT);
    EXPECT_EQ(t, nullptr);
}

TEST(ContextApi, LiveObjectCountReturnsToZero) {
    int64_t before = sdn_live_object_count();
    {
        auto ctx = make_context();
        EXPECT_EQ(sdn_live_object_count(), before + 1);
    }
    EXPECT_EQ(sdn_live_object_count(), before);
}

}  // namespace
