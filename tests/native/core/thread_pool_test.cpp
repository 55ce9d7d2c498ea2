#include "core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {

TEST(ThreadPool, RunsEveryTaskExactlyOnce) {
    sdn::ThreadPool pool(3);
    std::vector<std::atomic<int>> hits(1001);
    pool.parallel_for(1001, [&](int64_t t, int thread) {
        ASSERT_GE(thread, 0);
        ASSERT_LT(thread, 3);
        hits[t].fetch_add(1);
    });
    for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ThreadPool, RangesCoverWithoutOverlap) {
    sdn::ThreadPool pool(2);
    std::vector<int> cover(97, 0);
    pool.parallel_range(97, [&](int64_t b, int64_t e, int) {
        for (int64_t i = b; i < e; ++i) cover[i] += 1;
    });
    EXPECT_EQ(std::accumulate(cover.begin(), cover.end(), 0), 97);
    for (int c : cover) EXPECT_EQ(c, 1);
}

TEST(ThreadPool, RethrowsTheFirstExceptionAndStaysUsable) {
    sdn::ThreadPool pool(2);
    EXPECT_THROW(pool.parallel_for(50,
                                   [&](int64_t t, int) {
                                       if (t == 7) throw std::runtime_error("boom");
                                   }),
                 std::runtime_error);
    std::atomic<int> n{0};
    pool.parallel_for(10, [&](int64_t, int) { n++; });
    EXPECT_EQ(n.load(), 10);
}

}  // namespace
