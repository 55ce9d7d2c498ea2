// The CPU backend's buffer pool (cpu/host_buffer_pool.h): a freed large buffer serves the next
// allocation of its size, a miss drops what the pool holds before mapping a new one (so the
// peak is what it would be without the pool), small buffers are never held, and the backend
// holds nothing once results are downloaded, not even buffers freed after that.
#include "cpu/host_buffer_pool.h"

#include <gtest/gtest.h>

#include <vector>

#include "core/context.h"
#include "cpu/cpu_backend.h"
#include "sdnative.h"
#include "support/float32_variant.h"

namespace {

using sdn::cpu::HostBufferPool;

constexpr size_t kLarge = HostBufferPool::kMinFloats;

TEST(HostBufferPool, AFreedLargeBufferServesTheNextAllocationOfItsSize) {
    HostBufferPool pool;
    auto first = pool.take(kLarge);
    const float* where = first.data();
    pool.give(std::move(first));
    EXPECT_EQ(pool.pooled(), 1u);
    auto again = pool.take(kLarge);
    EXPECT_EQ(again.data(), where);
    EXPECT_EQ(again.size(), kLarge);
    EXPECT_EQ(pool.pooled(), 0u);
}

TEST(HostBufferPool, AMissDropsEverythingPooledBeforeAllocating) {
    HostBufferPool pool;
    auto a = pool.take(kLarge), b = pool.take(kLarge + 16);
    pool.give(std::move(a));
    pool.give(std::move(b));
    EXPECT_EQ(pool.pooled(), 2u);
    auto other = pool.take(2 * kLarge);  // no buffer of this size
    EXPECT_EQ(other.size(), 2 * kLarge);
    EXPECT_EQ(pool.pooled(), 0u);
}

TEST(HostBufferPool, AfterADropBuffersGivenBackAreReleasedUntilTheNextTake) {
    HostBufferPool pool;
    auto a = pool.take(kLarge), b = pool.take(kLarge);
    pool.give(std::move(a));
    pool.drop();
    EXPECT_EQ(pool.pooled(), 0u);
    pool.give(std::move(b));  // the call's last tensor, freed after its result left
    EXPECT_EQ(pool.pooled(), 0u);
    auto c = pool.take(kLarge);  // a new call
    pool.give(std::move(c));
    EXPECT_EQ(pool.pooled(), 1u);
}

TEST(HostBufferPool, SmallBuffersAreNeverHeld) {
    HostBufferPool pool;
    pool.give(pool.take(kLarge - 16));
    EXPECT_EQ(pool.pooled(), 0u);
}

TEST(HostBufferPool, TheBackendReusesAFreedActivationAndHoldsNothingAfterADownload) {
    sdn::Context ctx{2, sdn_test::float32_cpu_variant(), &sdn::cpu::make_cpu_backend};
    sdn::Backend& be = ctx.backend();
    const std::vector<int64_t> shape{1, 4, 512, 512};  // 4 MiB of floats
    const void* where = nullptr;
    {
        sdn::DeviceTensor t = be.tensor(shape, "test");
        where = t.view().buffer->host_data();
    }
    sdn::DeviceTensor reused = be.tensor(shape, "test");
    EXPECT_EQ(reused.view().buffer->host_data(), where);

    const int64_t live_before = sdn_debug_live_objects(SDN_LIVE_ENGINE_BUFFERS);
    { sdn::DeviceTensor freed = be.tensor(shape, "test"); }
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_ENGINE_BUFFERS), live_before + 1);  // pooled, not freed
    std::vector<float> host(static_cast<size_t>(reused.elements()));
    be.download(reused, host.data());
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_ENGINE_BUFFERS), live_before);
    reused.release();  // freed after the download: released, not pooled
    EXPECT_EQ(sdn_debug_live_objects(SDN_LIVE_ENGINE_BUFFERS), live_before - 1);
}

}  // namespace
