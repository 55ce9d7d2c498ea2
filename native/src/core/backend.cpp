#include "core/backend.h"

namespace sdn {

DeviceTensor Backend::tensor(const std::vector<int64_t>& shape, const char* purpose, DType type) {
    const int64_t bytes = TensorView::make(nullptr, 0, type, shape).bytes();
    return DeviceTensor(allocate(bytes, purpose), type, shape);
}

}  // namespace sdn
