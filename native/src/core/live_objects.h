// A process-wide count of live API objects, read by leak tests (sdn_live_object_count).
// Diagnostic only: no behaviour depends on it.
#pragma once

#include <atomic>
#include <cstdint>

namespace sdn {

std::atomic<int64_t>& live_object_counter();

// Base for every object handed out through the C API.
struct LiveObject {
    LiveObject() { live_object_counter().fetch_add(1); }
    LiveObject(const LiveObject&) { live_object_counter().fetch_add(1); }
    LiveObject& operator=(const LiveObject&) = default;
    ~LiveObject() { live_object_counter().fetch_sub(1); }
};

}  // namespace sdn
