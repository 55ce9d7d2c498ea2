// A fixed set of worker threads owned by one context. parallel_for hands out task indices
// through an atomic counter, so uneven tasks balance themselves; the calling thread works too.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "live_objects.h"

namespace sdn {

class ThreadPool {
public:
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return n_threads_; }

    // Runs fn(task, thread) for task in [0, n_tasks); thread is in [0, size()).
    // Returns when all tasks are done. Exceptions thrown by fn are rethrown here (the first one).
    void parallel_for(int64_t n_tasks, const std::function<void(int64_t task, int thread)>& fn);

    // Splits [0, n) into about size()*granularity contiguous ranges: fn(begin, end, thread).
    void parallel_range(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn,
                        int granularity = 4);

private:
    void worker_loop(int thread_index);
    void run_tasks(int thread_index);

    LiveCount<SDN_LIVE_THREAD_POOLS> counted_;
    int n_threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable done_;
    uint64_t generation_ = 0;
    bool stopping_ = false;
    int busy_workers_ = 0;

    const std::function<void(int64_t, int)>* job_ = nullptr;
    int64_t n_tasks_ = 0;
    std::atomic<int64_t> next_task_{0};
    std::exception_ptr first_error_;
    std::mutex error_mutex_;
};

}  // namespace sdn
