// The CPU's memory budget source: /proc/meminfo, /proc/self/cgroup and cgroup limit files
// parsed from hand-written text in the kernel's formats (proc(5), the cgroup v1 and v2
// admin guides), and the figures combined as the budget promises: the smallest of what the
// machine and every cgroup level allow, less the reserve, bounded by a user's cap.
#include "cpu/host_memory.h"

#include <gtest/gtest.h>

#include <map>

#include "cpu/cpu_backend.h"
#include "support/float32_variant.h"

using namespace sdn;
using namespace sdn::cpu;

namespace {

constexpr int64_t kMiB = int64_t(1) << 20;

// A machine made of files: the reader answers only the paths it was given.
TextFileReader files(std::map<std::string, std::string> contents) {
    return [contents = std::move(contents)](const std::string& path) -> std::optional<std::string> {
        auto it = contents.find(path);
        if (it == contents.end()) return std::nullopt;
        return it->second;
    };
}

const char* kMeminfo =
    "MemTotal:       24576000 kB\n"
    "MemFree:         1024000 kB\n"
    "MemAvailable:    8192000 kB\n"
    "Buffers:          204800 kB\n";

}  // namespace

TEST(HostMemory, MemAvailableIsReadInKibibytes) {
    EXPECT_EQ(meminfo_available_bytes(kMeminfo), int64_t(8192000) * 1024);
    // The last line without a newline, and spacing as the kernel pads it.
    EXPECT_EQ(meminfo_available_bytes("MemTotal: 4 kB\nMemAvailable:        2 kB"), 2048);
}

TEST(HostMemory, MeminfoWithoutAUsableMemAvailableGivesMinusOne) {
    // Kernels before 3.14 have no MemAvailable line; MemAvailableX is another key.
    EXPECT_EQ(meminfo_available_bytes("MemTotal: 24576000 kB\nMemFree: 1024000 kB\n"), -1);
    EXPECT_EQ(meminfo_available_bytes("MemAvailableX: 5 kB\n"), -1);
    EXPECT_EQ(meminfo_available_bytes("MemAvailable: 5 MB\n"), -1);
    EXPECT_EQ(meminfo_available_bytes("MemAvailable: -5 kB\n"), -1);
    EXPECT_EQ(meminfo_available_bytes("MemAvailable:\n"), -1);
    EXPECT_EQ(meminfo_available_bytes(""), -1);
}

TEST(HostMemory, CgroupValuesAreBytesAndUnlimitedIsMinusOne) {
    EXPECT_EQ(cgroup_bytes_value("4294967296\n"), int64_t(4) << 30);
    EXPECT_EQ(cgroup_bytes_value("max\n"), -1);                  // v2: no limit
    EXPECT_EQ(cgroup_bytes_value("9223372036854771712\n"), -1);  // v1: no limit, 4 KiB pages
    EXPECT_EQ(cgroup_bytes_value("12k"), -1);
    EXPECT_EQ(cgroup_bytes_value(""), -1);
}

TEST(HostMemory, TheMemoryCgroupIsTheV2PathOrTheV1MemoryHierarchy) {
    auto v2 = memory_cgroup_of("0::/user.slice/user-1000.slice/session-2.scope\n");
    ASSERT_TRUE(v2.has_value());
    EXPECT_TRUE(v2->v2);
    EXPECT_EQ(v2->path, "/user.slice/user-1000.slice/session-2.scope");

    // v1 (and hybrid: v1 accounts memory there): the line whose controllers include memory.
    auto v1 = memory_cgroup_of(
        "12:cpu,cpuacct:/docker/abc\n"
        "7:blkio,memory:/docker/abc\n"
        "0::/system.slice/docker.service\n");
    ASSERT_TRUE(v1.has_value());
    EXPECT_FALSE(v1->v2);
    EXPECT_EQ(v1->path, "/docker/abc");

    EXPECT_FALSE(memory_cgroup_of("12:cpu,cpuacct:/a\n3:pids:/a\n").has_value());
    EXPECT_FALSE(memory_cgroup_of("").has_value());
}

TEST(HostMemory, TheTightestCgroupLevelBoundsWhatIsFree) {
    // The job's own cgroup has no limit ("max"), its parent allows 6 GiB with 5 GiB used,
    // the grandparent 16 GiB with 2 GiB used: 1 GiB is free. The root has no files.
    const TextFileReader read = files({
        {"/sys/fs/cgroup/a/b/job/memory.max", "max\n"},
        {"/sys/fs/cgroup/a/b/job/memory.current", "104857600\n"},
        {"/sys/fs/cgroup/a/b/memory.max", "6442450944\n"},
        {"/sys/fs/cgroup/a/b/memory.current", "5368709120\n"},
        {"/sys/fs/cgroup/a/memory.max", "17179869184\n"},
        {"/sys/fs/cgroup/a/memory.current", "2147483648\n"},
    });
    EXPECT_EQ(cgroup_free_bytes({true, "/a/b/job"}, read), int64_t(1) << 30);
    EXPECT_EQ(cgroup_free_bytes({true, "/elsewhere"}, read), -1);
    // Usage over the limit (it happens briefly): nothing is free, not a negative figure.
    EXPECT_EQ(cgroup_free_bytes({true, "/x"}, files({{"/sys/fs/cgroup/x/memory.max", "100\n"},
                                                     {"/sys/fs/cgroup/x/memory.current", "150\n"}})),
              0);
}

TEST(HostMemory, AContainerSeesItsLimitAtTheRootOfItsMount) {
    // Inside a container /proc/self/cgroup may name the host's path, which its mount lacks:
    // the walk reaches the mount's root, where the container's own limit is.
    const TextFileReader read = files({
        {"/sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n"},
        {"/sys/fs/cgroup/memory/memory.usage_in_bytes", "536870912\n"},
    });
    EXPECT_EQ(cgroup_free_bytes({false, "/docker/abc"}, read), int64_t(1536) * kMiB);
}

TEST(HostMemory, AvailableIsMemAvailableBoundedByTheCgroup) {
    std::map<std::string, std::string> machine = {
        {"/proc/meminfo", kMeminfo},
        {"/proc/self/cgroup", "0::/job\n"},
        {"/sys/fs/cgroup/job/memory.max", "3221225472\n"},
        {"/sys/fs/cgroup/job/memory.current", "1073741824\n"},
    };
    EXPECT_EQ(host_available_bytes(files(machine)), int64_t(2) << 30);  // 3 GiB - 1 GiB
    machine["/sys/fs/cgroup/job/memory.max"] = "max\n";
    EXPECT_EQ(host_available_bytes(files(machine)), int64_t(8192000) * 1024);
    machine.erase("/proc/meminfo");
    EXPECT_EQ(host_available_bytes(files(machine)), -1);
    EXPECT_EQ(host_available_bytes(files({})), -1);
}

TEST(HostMemory, TheCpuBudgetIsAvailableLessTheReserveBoundedByTheCapLessLiveBuffers) {
    Context ctx(1, sdn_test::float32_cpu_variant());
    const int64_t available = int64_t(8192000) * 1024;
    // The reserve: 256 MiB plus a sixteenth of what is available.
    EXPECT_EQ(host_memory_reserve(available), 256 * kMiB + available / 16);

    CpuMemoryLimits machine_only;
    machine_only.read = files({{"/proc/meminfo", kMeminfo}});
    CpuBackend from_machine(ctx, machine_only);
    EXPECT_EQ(from_machine.memory_budget(), available - 256 * kMiB - available / 16);

    CpuMemoryLimits unknown;
    unknown.read = files({});
    EXPECT_EQ(CpuBackend(ctx, unknown).memory_budget(), -1);

    CpuMemoryLimits capped = machine_only;
    capped.cap_bytes = 64 * kMiB;
    CpuBackend be(ctx, capped);
    EXPECT_EQ(be.memory_budget(), 64 * kMiB);
    {
        DeviceTensor held = be.tensor({4 * 1024 * 1024}, "test");  // 16 MiB of floats
        EXPECT_EQ(be.bytes_in_use(), 16 * kMiB);
        EXPECT_EQ(be.memory_budget(), 48 * kMiB);
    }
    EXPECT_EQ(be.bytes_in_use(), 0);
    EXPECT_EQ(be.memory_budget(), 64 * kMiB);

    // A cap above what the machine has: the machine decides.
    capped.cap_bytes = int64_t(64) << 30;
    EXPECT_EQ(CpuBackend(ctx, capped).memory_budget(), from_machine.memory_budget());
}

TEST(HostMemory, ThisMachineReportsABudget) {
    // Linux always has /proc/meminfo with MemAvailable (kernel 3.14 on).
    Context ctx(1, sdn_test::float32_cpu_variant(), &cpu::make_cpu_backend);
    EXPECT_GT(host_available_bytes(), 0);
    EXPECT_GE(ctx.backend().memory_budget(), 0);
}
