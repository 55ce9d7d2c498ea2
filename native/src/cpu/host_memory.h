// How much memory the CPU backend may still take from the machine: MemAvailable from
// /proc/meminfo, bounded by the memory limit of every cgroup (v2 or v1) the process sits
// in, less a reserve for the rest of the system. The VAE tiles its decode from this figure
// (Backend::memory_budget), so a 1024x1024 decode on an 8 GB laptop or in a container with a
// memory limit tiles instead of being killed.
//
// The parsers take the files' text, so tests hand them written fixtures; the reader of the
// real files is a parameter for the same reason.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace sdn::cpu {

// Reads a whole file; nullopt when it does not exist or cannot be read.
using TextFileReader = std::function<std::optional<std::string>(const std::string& path)>;
std::optional<std::string> read_text_file(const std::string& path);

// MemAvailable of /proc/meminfo text, in bytes; -1 when the line is missing or malformed.
int64_t meminfo_available_bytes(std::string_view meminfo);

// A cgroup memory limit file (v2 memory.max, v1 memory.limit_in_bytes) or usage file
// (memory.current, memory.usage_in_bytes), in bytes; -1 for "max", for v1's "no limit"
// (a value near INT64_MAX), and for text that is not a number.
int64_t cgroup_bytes_value(std::string_view text);

// The process's cgroup from /proc/self/cgroup text: the v2 path ("0::/a/b") or, on v1, the
// path of the hierarchy that has the memory controller ("7:memory:/a/b"); nullopt if neither.
struct CgroupPlace {
    bool v2 = false;
    std::string path;  // "/a/b", relative to the hierarchy's mount point
};
std::optional<CgroupPlace> memory_cgroup_of(std::string_view proc_self_cgroup);

// Bytes still free under the cgroup limits that bound the process: for the process's cgroup
// and each of its ancestors (a limit anywhere up the tree applies), limit minus usage; the
// smallest; -1 when no level has a limit. Reads <root>/<path>/memory.max + memory.current
// (v2, root /sys/fs/cgroup) or memory.limit_in_bytes + memory.usage_in_bytes (v1, root
// /sys/fs/cgroup/memory). A container usually sees its own cgroup as "/", at the root.
int64_t cgroup_free_bytes(const CgroupPlace& place, const TextFileReader& read);

// What a process on this machine may still take: MemAvailable bounded by the cgroup limits
// (-1 when neither can be read, e.g. not Linux).
int64_t host_available_bytes(const TextFileReader& read = read_text_file);

// The share of `available` left to the rest of the system (the page cache that holds the
// mapped weights, other processes): 256 MiB plus a sixteenth.
int64_t host_memory_reserve(int64_t available);

}  // namespace sdn::cpu
