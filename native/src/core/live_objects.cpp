#include "live_objects.h"

namespace sdn {

std::atomic<int64_t>& live_object_counter() {
    static std::atomic<int64_t> counter{0};
    return counter;
}

std::atomic<int64_t>& live_counter(sdn_live_kind kind) {
    static std::atomic<int64_t> counters[SDN_LIVE_KIND_COUNT]{};
    return counters[kind];
}

}  // namespace sdn
