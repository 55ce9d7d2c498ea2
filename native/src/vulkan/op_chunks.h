// Splitting an op's work into pieces whose bindings fit the device's binding limit.
#pragma once

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <string>

#include "core/error.h"
#include "vulkan/command_batch.h"

namespace sdn::vk {

// The most rows (of the given bytes per row in each binding; 0 for bindings that do not grow
// with rows) one dispatch can cover. Throws naming `op` when not even one row fits.
inline int64_t chunk_rows(const CommandBatch& b, std::initializer_list<uint64_t> row_bytes,
                          const char* op, int64_t cap = INT64_MAX) {
    uint64_t rows = static_cast<uint64_t>(cap);
    for (uint64_t bytes : row_bytes) rows = std::min(rows, b.rows_per_binding(bytes));
    SDN_REQUIRE(rows >= 1, SDN_ERR_UNSUPPORTED,
                std::string("Vulkan ") + op + ": one row exceeds the device's binding limit of " +
                    std::to_string(b.device().max_binding_bytes()) + " bytes");
    return static_cast<int64_t>(rows);
}

template <class Fn>
void for_each_chunk(int64_t total, int64_t chunk, Fn&& fn) {
    for (int64_t start = 0; start < total; start += chunk)
        fn(start, std::min(chunk, total - start));
}

inline uint32_t groups_of(int64_t n, int64_t per_group) {
    return static_cast<uint32_t>((n + per_group - 1) / per_group);
}

// Workgroups for n threads of the flat (one thread per value) shaders, local_size_x 256.
inline uint64_t flat_groups(int64_t n) { return static_cast<uint64_t>((n + 255) / 256); }

}  // namespace sdn::vk
