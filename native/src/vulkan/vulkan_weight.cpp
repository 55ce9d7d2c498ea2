#include "vulkan/vulkan_weight.h"

#include <vector>

#include "core/error.h"
#include "quant/row_ops.h"

namespace sdn::vk {

namespace {
bool shader_decodes(DType t) {
    switch (t) {
        case DType::F32:
        case DType::F16:
        case DType::BF16:
        case DType::Q8_0:
        case DType::Q4_0:
        case DType::Q4_1:
        case DType::Q5_0:
        case DType::Q5_1:
        case DType::Q4_K:
        case DType::Q5_K:
        case DType::Q6_K:
            return true;
        default:
            return false;
    }
}
}  // namespace

VulkanWeight VulkanWeight::upload(VulkanDevice& device, const WeightRef& w,
                                  const std::string& name) {
    SDN_REQUIRE(w.valid() && !w.shape.empty(), SDN_ERR_INVALID_ARGUMENT,
                "weight " + name + " is empty");
    VulkanWeight out;
    out.shape = w.shape;
    out.row_elems = w.row_elems();
    out.rows = w.rows();
    if (w.shape.size() == 1) {
        std::vector<float> values(static_cast<size_t>(out.row_elems));
        dequantize_row_reference(w.type, w.data, values.data(), out.row_elems);
        out.type = DType::F32;
        out.row_bytes = out.row_elems * 4;
        out.buffer = std::make_unique<VulkanBuffer>(device, out.row_bytes, name);
        out.buffer->upload(values.data(), static_cast<uint64_t>(out.row_bytes));
        return out;
    }
    SDN_REQUIRE(shader_decodes(w.type), SDN_ERR_UNSUPPORTED,
                "weight " + name + ": the Vulkan backend cannot compute with type " +
                    dtype_traits(w.type).name);
    // Matrices are [rows, K] with K the product of every dimension after the first.
    out.rows = w.shape[0];
    out.row_elems = w.elements() / out.rows;
    out.type = w.type;
    out.row_bytes = dtype_row_bytes(w.type, out.row_elems);
    SDN_REQUIRE(out.row_bytes > 0 && out.row_bytes * out.rows == w.nbytes, SDN_ERR_INVALID_ARGUMENT,
                "weight " + name + ": rows of " + std::to_string(out.row_elems) +
                    " values do not fit its type's blocks or its byte size");
    out.buffer = std::make_unique<VulkanBuffer>(device, static_cast<uint64_t>(w.nbytes), name);
    out.buffer->upload(w.data, static_cast<uint64_t>(w.nbytes));
    return out;
}

std::string VulkanWeight::type_suffix() const { return dtype_traits(type).name; }

}  // namespace sdn::vk
