// Per-op timing of the CPU backend, for finding where a UNet step's time goes. Off unless the
// environment variable SDN_CPU_PROFILE is set (to anything but "0"); then every backend op is
// timed under a key naming the op and its shape class (e.g. "conv2d 3x3 320->320 64x64"), and
// the table (calls, total seconds, share, GFLOP/s where the op's flops are known) is printed
// to stderr when the backend is destroyed. Off, a scope costs one branch.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace sdn::cpu {

class OpProfile {
public:
    OpProfile();
    ~OpProfile();
    OpProfile(const OpProfile&) = delete;
    OpProfile& operator=(const OpProfile&) = delete;

    bool enabled() const { return enabled_; }
    void record(const std::string& key, double seconds, double flops);
    // The table as text (what the destructor prints); empty when nothing was recorded.
    std::string report() const;

private:
    struct Entry {
        int64_t calls = 0;
        double seconds = 0.0, flops = 0.0;
    };
    bool enabled_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry> entries_;
};

// Times its own lifetime into `profile` under the key `describe()` returns (called only when
// profiling is on, so building the key costs nothing otherwise).
class OpScope {
public:
    template <typename Describe>
    OpScope(OpProfile& profile, Describe&& describe, double flops = 0.0)
        : profile_(profile), flops_(flops) {
        if (!profile.enabled()) return;
        key_ = describe();
        start_ = std::chrono::steady_clock::now();
    }
    ~OpScope() {
        if (key_.empty()) return;
        profile_.record(
            key_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(),
            flops_);
    }
    OpScope(const OpScope&) = delete;
    OpScope& operator=(const OpScope&) = delete;

private:
    OpProfile& profile_;
    double flops_;
    std::string key_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace sdn::cpu
