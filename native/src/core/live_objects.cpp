#include "live_objects.h"

namespace sdn {

std::atomic<int64_t>& live_object_counter() {
    static std::atomic<int64_t> counter{0};
    return counter;
}

}  // namespace sdn
