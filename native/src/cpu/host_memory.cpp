#include "cpu/host_memory.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace sdn::cpu {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

// A non-negative decimal that fits int64 with room to spare; -1 otherwise.
int64_t parse_count(std::string_view s) {
    if (s.empty() || s.size() > 19) return -1;
    int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

// Calls fn(line) for each line of text (the last may lack its newline) until fn returns true.
template <class Fn>
void find_line(std::string_view text, Fn fn) {
    size_t at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        if (fn(text.substr(at, end - at))) return;
        at = end + 1;
    }
}

// v1 reports "no limit" as the largest page-aligned counter (9223372036854771712 with 4 KiB
// pages); nothing real comes near 2^60 bytes.
constexpr int64_t kUnlimited = int64_t(1) << 60;

}  // namespace

std::optional<std::string> read_text_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return std::nullopt;
    return text.str();
}

int64_t meminfo_available_bytes(std::string_view meminfo) {
    // "MemAvailable:    8040192 kB": the kernel writes every figure in KiB.
    constexpr std::string_view key = "MemAvailable:";
    int64_t bytes = -1;
    find_line(meminfo, [&](std::string_view line) {
        if (line.substr(0, key.size()) != key) return false;
        std::string_view rest = trim(line.substr(key.size()));
        const size_t space = rest.find(' ');
        if (space != std::string_view::npos && trim(rest.substr(space)) == "kB") {
            const int64_t kib = parse_count(rest.substr(0, space));
            if (kib >= 0 && kib < kUnlimited / 1024) bytes = kib * 1024;
        }
        return true;
    });
    return bytes;
}

int64_t cgroup_bytes_value(std::string_view text) {
    const int64_t v = parse_count(trim(text));
    return v >= kUnlimited ? -1 : v;
}

std::optional<CgroupPlace> memory_cgroup_of(std::string_view proc_self_cgroup) {
    // Lines are "hierarchy:controllers:path"; v2's unified hierarchy is "0::path". A v1
    // memory controller wins over v2 (hybrid systems account memory in v1 then).
    std::optional<CgroupPlace> v2, v1;
    find_line(proc_self_cgroup, [&](std::string_view line) {
        const size_t first = line.find(':');
        const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
        if (second == std::string_view::npos) return false;
        const std::string_view controllers = line.substr(first + 1, second - first - 1);
        const std::string path(trim(line.substr(second + 1)));
        if (path.empty() || path.front() != '/') return false;
        if (controllers.empty()) {
            if (line.substr(0, first) == "0") v2 = CgroupPlace{true, path};
            return false;
        }
        std::string_view rest = controllers;
        for (;;) {
            const size_t comma = rest.find(',');
            if (rest.substr(0, comma) == "memory") {
                v1 = CgroupPlace{false, path};
                return true;
            }
            if (comma == std::string_view::npos) return false;
            rest.remove_prefix(comma + 1);
        }
    });
    return v1 ? v1 : v2;
}

int64_t cgroup_free_bytes(const CgroupPlace& place, const TextFileReader& read) {
    const std::string root = place.v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    const char* limit_file = place.v2 ? "/memory.max" : "/memory.limit_in_bytes";
    const char* usage_file = place.v2 ? "/memory.current" : "/memory.usage_in_bytes";
    int64_t free = -1;
    std::string path = place.path;
    while (!path.empty() && path.back() == '/') path.pop_back();
    for (;;) {
        const std::string dir = root + path;
        const std::optional<std::string> limit_text = read(dir + limit_file);
        const int64_t limit = limit_text ? cgroup_bytes_value(*limit_text) : -1;
        if (limit >= 0) {
            const std::optional<std::string> usage_text = read(dir + usage_file);
            const int64_t usage = usage_text ? cgroup_bytes_value(*usage_text) : -1;
            // A limit without a readable usage still bounds what can be taken.
            const int64_t left = std::max<int64_t>(0, limit - std::max<int64_t>(0, usage));
            free = free < 0 ? left : std::min(free, left);
        }
        if (path.empty()) break;
        path.resize(path.rfind('/'));
    }
    return free;
}

int64_t host_available_bytes(const TextFileReader& read) {
    const std::optional<std::string> meminfo = read("/proc/meminfo");
    int64_t available = meminfo ? meminfo_available_bytes(*meminfo) : -1;
    const std::optional<std::string> cgroup = read("/proc/self/cgroup");
    if (const std::optional<CgroupPlace> place = cgroup ? memory_cgroup_of(*cgroup) : std::nullopt) {
        const int64_t free = cgroup_free_bytes(*place, read);
        if (free >= 0) available = available < 0 ? free : std::min(available, free);
    }
    return available;
}

int64_t host_memory_reserve(int64_t available) {
    return (int64_t(256) << 20) + std::max<int64_t>(0, available) / 16;
}

}  // namespace sdn::cpu
