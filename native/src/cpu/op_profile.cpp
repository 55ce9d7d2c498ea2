#include "cpu/op_profile.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace sdn::cpu {

namespace {

bool profiling_requested() {
    const char* env = std::getenv("SDN_CPU_PROFILE");
    return env && *env && std::strcmp(env, "0") != 0;
}

}  // namespace

OpProfile::OpProfile() : enabled_(profiling_requested()) {}

OpProfile::~OpProfile() {
    if (!enabled_) return;
    const std::string text = report();
    if (!text.empty()) std::fputs(text.c_str(), stderr);
}

void OpProfile::record(const std::string& key, double seconds, double flops) {
    std::lock_guard<std::mutex> lock(mutex_);
    Entry& e = entries_[key];
    ++e.calls;
    e.seconds += seconds;
    e.flops += flops;
}

std::string OpProfile::report() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (entries_.empty()) return {};
    std::vector<std::pair<std::string, Entry>> rows(entries_.begin(), entries_.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto& a, const auto& b) { return a.second.seconds > b.second.seconds; });
    double total = 0.0;
    for (const auto& [key, e] : rows) total += e.seconds;
    std::string out = "cpu op profile (SDN_CPU_PROFILE): " + std::to_string(total) + " s in ops\n";
    char line[256];
    std::snprintf(line, sizeof(line), "%10s %10s %6s %8s  %s\n", "calls", "seconds", "share",
                  "GFLOP/s", "op");
    out += line;
    for (const auto& [key, e] : rows) {
        const double gflops = e.flops > 0.0 && e.seconds > 0.0 ? e.flops / e.seconds * 1e-9 : 0.0;
        std::snprintf(line, sizeof(line), "%10lld %10.3f %5.1f%% %8.1f  %s\n",
                      static_cast<long long>(e.calls), e.seconds,
                      total > 0.0 ? 100.0 * e.seconds / total : 0.0, gflops, key.c_str());
        out += line;
    }
    return out;
}

}  // namespace sdn::cpu
