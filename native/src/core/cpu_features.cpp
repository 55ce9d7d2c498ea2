#include "cpu_features.h"

#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <set>
#include <thread>
#include <utility>

namespace sdn {
namespace {

uint64_t read_xcr0() {
    uint32_t eax = 0, edx = 0;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (static_cast<uint64_t>(edx) << 32) | eax;
}

uint32_t detect_features() {
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    uint32_t f = 0;
    const bool osxsave = c & (1u << 27);
    const uint64_t xcr0 = osxsave ? read_xcr0() : 0;
    const bool ymm_os = (xcr0 & 0x6) == 0x6;
    const bool zmm_os = (xcr0 & 0xe6) == 0xe6;
    const bool amx_os = (xcr0 & 0x60000) == 0x60000;
    if (c & (1u << 20)) f |= SDN_CPU_SSE42;
    if ((c & (1u << 28)) && ymm_os) f |= SDN_CPU_AVX;
    if ((c & (1u << 12)) && ymm_os) f |= SDN_CPU_FMA;
    if ((c & (1u << 29)) && ymm_os) f |= SDN_CPU_F16C;
    unsigned max_leaf = __get_cpuid_max(0, nullptr);
    if (max_leaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if ((b & (1u << 5)) && ymm_os) f |= SDN_CPU_AVX2;
        if (zmm_os) {
            if (b & (1u << 16)) f |= SDN_CPU_AVX512F;
            if (b & (1u << 17)) f |= SDN_CPU_AVX512DQ;
            if (b & (1u << 30)) f |= SDN_CPU_AVX512BW;
            if (b & (1u << 31)) f |= SDN_CPU_AVX512VL;
            if (c & (1u << 11)) f |= SDN_CPU_AVX512_VNNI;
        }
        if (amx_os) {
            if (d & (1u << 22)) f |= SDN_CPU_AMX_BF16;
            if (d & (1u << 25)) f |= SDN_CPU_AMX_INT8;
        }
        unsigned a1 = 0, b1 = 0, c1 = 0, d1 = 0;
        __cpuid_count(7, 1, a1, b1, c1, d1);
        if ((a1 & (1u << 4)) && ymm_os) f |= SDN_CPU_AVX_VNNI;
        if ((a1 & (1u << 5)) && zmm_os) f |= SDN_CPU_AVX512_BF16;
    }
    return f;
}

std::string detect_name() {
    unsigned regs[12] = {};
    if (__get_cpuid_max(0x80000000, nullptr) < 0x80000004) return "unknown";
    for (unsigned i = 0; i < 3; ++i)
        __get_cpuid(0x80000002 + i, &regs[i * 4], &regs[i * 4 + 1], &regs[i * 4 + 2],
                    &regs[i * 4 + 3]);
    char buf[49] = {};
    std::memcpy(buf, regs, 48);
    std::string s(buf);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    size_t start = s.find_first_not_of(' ');
    return start == std::string::npos ? "unknown" : s.substr(start);
}

// Physical cores = distinct (physical id, core id) pairs in /proc/cpuinfo among online CPUs.
int detect_physical_cores(int logical) {
    std::ifstream in("/proc/cpuinfo");
    std::set<std::pair<int, int>> cores;
    std::string line;
    int phys = 0;
    while (std::getline(in, line)) {
        auto value = [&]() { return std::atoi(line.substr(line.find(':') + 1).c_str()); };
        if (line.rfind("physical id", 0) == 0) phys = value();
        if (line.rfind("core id", 0) == 0) cores.insert({phys, value()});
    }
    if (cores.empty()) return logical;
    return std::min<int>(static_cast<int>(cores.size()), logical);
}

// Linux hands out the AMX tile-data state only to processes that ask for it (since 5.16);
// without that permission the first tile instruction faults. Asked once per process.
bool amx_permitted() {
    static const bool permitted = [] {
#if defined(__linux__) && defined(SYS_arch_prctl)
        constexpr long kArchReqXcompPerm = 0x1023;
        constexpr long kXfeatureXtiledata = 18;
        return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
        return false;
#endif
    }();
    return permitted;
}

}  // namespace

const CpuInfo& cpu_info() {
    static const CpuInfo info = [] {
        CpuInfo i;
        i.features = detect_features();
        long online = sysconf(_SC_NPROCESSORS_ONLN);
        i.logical_cores = online > 0 ? static_cast<int>(online)
                                     : static_cast<int>(std::thread::hardware_concurrency());
        if (i.logical_cores < 1) i.logical_cores = 1;
        i.physical_cores = detect_physical_cores(i.logical_cores);
        i.name = detect_name();
        return i;
    }();
    return info;
}

bool cpu_variant_supported(sdn_cpu_variant variant) {
    const uint32_t f = cpu_info().features;
    auto has = [f](uint32_t bits) { return (f & bits) == bits; };
    switch (variant) {
        case SDN_CPU_VARIANT_AUTO:
        case SDN_CPU_VARIANT_SCALAR:
            return true;
        case SDN_CPU_VARIANT_AVX2:
            return has(SDN_CPU_AVX2 | SDN_CPU_FMA | SDN_CPU_F16C);
        case SDN_CPU_VARIANT_AVX512:
            return has(SDN_CPU_AVX2 | SDN_CPU_FMA | SDN_CPU_F16C | SDN_CPU_AVX512F |
                       SDN_CPU_AVX512BW | SDN_CPU_AVX512VL | SDN_CPU_AVX512DQ);
        case SDN_CPU_VARIANT_AVX512_BF16:
            return cpu_variant_supported(SDN_CPU_VARIANT_AVX512) && has(SDN_CPU_AVX512_BF16);
        case SDN_CPU_VARIANT_AVX512_AMX:
            return cpu_variant_supported(SDN_CPU_VARIANT_AVX512) &&
                   has(SDN_CPU_AVX512_BF16 | SDN_CPU_AMX_BF16) && amx_permitted();
    }
    return false;
}

sdn_cpu_variant best_cpu_variant() {
    // AMX first: the fastest, and its bfloat16 products stay well within the oracle's fidelity
    // mark (docs/performance.md).
    if (cpu_variant_supported(SDN_CPU_VARIANT_AVX512_AMX)) return SDN_CPU_VARIANT_AVX512_AMX;
    // Without AMX, bf16 dot products still do two float32 FMAs' work per instruction, at the
    // same accuracy cost as AMX (the same operand rounding).
    if (cpu_variant_supported(SDN_CPU_VARIANT_AVX512_BF16)) return SDN_CPU_VARIANT_AVX512_BF16;
    if (cpu_variant_supported(SDN_CPU_VARIANT_AVX512)) return SDN_CPU_VARIANT_AVX512;
    if (cpu_variant_supported(SDN_CPU_VARIANT_AVX2)) return SDN_CPU_VARIANT_AVX2;
    return SDN_CPU_VARIANT_SCALAR;
}

const char* cpu_variant_name(sdn_cpu_variant variant) {
    switch (variant) {
        case SDN_CPU_VARIANT_AUTO: return "auto";
        case SDN_CPU_VARIANT_SCALAR: return "scalar";
        case SDN_CPU_VARIANT_AVX2: return "avx2";
        case SDN_CPU_VARIANT_AVX512: return "avx512";
        case SDN_CPU_VARIANT_AVX512_AMX: return "avx512-amx";
        case SDN_CPU_VARIANT_AVX512_BF16: return "avx512-bf16";
    }
    return "unknown";
}

}  // namespace sdn
