// The compute shaders compiled into the library (SPIR-V generated at build time from
// shaders/*.comp; see vulkan.cmake). GEMM-like shaders exist once per weight type and are
// named "<op>_<type>", e.g. "linear_q4_K".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace sdn::vk {

struct EmbeddedShader {
    const char* name;
    const uint32_t* words;
    size_t word_count;
};

// The shader called `name`, or nullptr.
const EmbeddedShader* find_embedded_shader(const std::string& name);

}  // namespace sdn::vk
