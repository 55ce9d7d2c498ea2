// What the CPU can do, detected once with CPUID/XGETBV, and which kernel variant that allows.
#pragma once

#include <cstdint>
#include <string>

#include "sdnative.h"

namespace sdn {

struct CpuInfo {
    uint32_t features = 0;  // sdn_cpu_feature bits
    int physical_cores = 1;
    int logical_cores = 1;
    std::string name;
};

const CpuInfo& cpu_info();

// True when the CPU (and OS) support every instruction the variant uses.
bool cpu_variant_supported(sdn_cpu_variant variant);
sdn_cpu_variant best_cpu_variant();
const char* cpu_variant_name(sdn_cpu_variant variant);

}  // namespace sdn
