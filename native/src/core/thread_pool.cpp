#include "thread_pool.h"

#include <algorithm>

namespace sdn {

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
    for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
}

void ThreadPool::run_tasks(int thread_index) {
    for (;;) {
        int64_t task = next_task_.fetch_add(1, std::memory_order_relaxed);
        if (task >= n_tasks_) break;
        try {
            (*job_)(task, thread_index);
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex_);
            if (!first_error_) first_error_ = std::current_exception();
            next_task_.store(n_tasks_, std::memory_order_relaxed);  // stop handing out work
        }
    }
}

void ThreadPool::worker_loop(int thread_index) {
    uint64_t seen = 0;
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
            if (stopping_) return;
            seen = generation_;
        }
        run_tasks(thread_index);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (--busy_workers_ == 0) done_.notify_one();
        }
    }
}

void ThreadPool::parallel_for(int64_t n_tasks,
                              const std::function<void(int64_t task, int thread)>& fn) {
    if (n_tasks <= 0) return;
    if (n_threads_ == 1 || n_tasks == 1) {
        for (int64_t t = 0; t < n_tasks; ++t) fn(t, 0);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        job_ = &fn;
        n_tasks_ = n_tasks;
        next_task_.store(0, std::memory_order_relaxed);
        first_error_ = nullptr;
        busy_workers_ = static_cast<int>(workers_.size());
        ++generation_;
    }
    wake_.notify_all();
    run_tasks(0);
    {
        std::unique_lock<std::mutex> lock(mutex_);
        done_.wait(lock, [&] { return busy_workers_ == 0; });
        job_ = nullptr;
    }
    if (first_error_) std::rethrow_exception(first_error_);
}

void ThreadPool::parallel_range(int64_t n, const std::function<void(int64_t, int64_t, int)>& fn,
                                int granularity) {
    if (n <= 0) return;
    int64_t chunks = std::min<int64_t>(n, static_cast<int64_t>(n_threads_) * granularity);
    int64_t per = (n + chunks - 1) / chunks;
    chunks = (n + per - 1) / per;
    parallel_for(chunks, [&](int64_t c, int thread) {
        int64_t begin = c * per;
        int64_t end = std::min(n, begin + per);
        fn(begin, end, thread);
    });
}

}  // namespace sdn
