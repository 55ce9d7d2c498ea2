// A weight on the Vulkan device. Matrices ([N, K] linear, [O, C, k, k] convolution) keep
// their stored type (f32, f16, bf16 or a GGUF block type) and are decoded inside the shaders;
// vectors (bias, gamma, beta) are widened to f32 once at upload since they are tiny.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "quant/dtype.h"
#include "vulkan/vulkan_buffer.h"

namespace sdn::vk {

struct VulkanWeight {
    std::unique_ptr<VulkanBuffer> buffer;
    DType type = DType::Invalid;  // F32 for vectors
    int64_t rows = 0;
    int64_t row_elems = 0;
    int64_t row_bytes = 0;
    std::vector<int64_t> shape;  // as stored (PyTorch order)

    // Uploads `w`; `name` appears in out-of-memory errors. Throws SDN_ERR_UNSUPPORTED for a
    // type the shaders do not decode (q2_K, q3_K).
    static VulkanWeight upload(VulkanDevice& device, const WeightRef& w, const std::string& name);
    // The shader-name suffix of the stored type ("f16", "q4_K").
    std::string type_suffix() const;
};

}  // namespace sdn::vk
