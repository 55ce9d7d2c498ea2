// Process-wide counts of live library objects, read by leak tests (sdn_live_object_count for
// the handles of the C API, sdn_debug_live_objects per kind, internal objects included).
// Diagnostic only: no behaviour depends on them.
#pragma once

#include <atomic>
#include <cstdint>

#include "sdnative.h"

namespace sdn {

// All handles handed out through the C API.
std::atomic<int64_t>& live_object_counter();
// One kind of sdn_live_kind (kind must be in range).
std::atomic<int64_t>& live_counter(sdn_live_kind kind);

// Counts the objects of one kind that contain it (as a base or a member).
template <sdn_live_kind Kind>
struct LiveCount {
    LiveCount() { live_counter(Kind).fetch_add(1); }
    LiveCount(const LiveCount&) { live_counter(Kind).fetch_add(1); }
    LiveCount& operator=(const LiveCount&) = default;
    ~LiveCount() { live_counter(Kind).fetch_sub(1); }
};

// Base for every object handed out through the C API.
struct LiveObject {
    LiveObject() { live_object_counter().fetch_add(1); }
    LiveObject(const LiveObject&) { live_object_counter().fetch_add(1); }
    LiveObject& operator=(const LiveObject&) = default;
    ~LiveObject() { live_object_counter().fetch_sub(1); }
};

// A handle of the C API: counted among all handles and as its kind.
template <sdn_live_kind Kind>
struct LiveHandle : LiveObject, LiveCount<Kind> {};

// Engine buffers (AlignedBuffer): how many are allocated and their bytes.
inline void count_buffer(int64_t bytes, int64_t sign) {
    live_counter(SDN_LIVE_ENGINE_BUFFERS).fetch_add(sign);
    live_counter(SDN_LIVE_ENGINE_BUFFER_BYTES).fetch_add(sign * bytes);
}

}  // namespace sdn
