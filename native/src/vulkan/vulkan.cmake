# The Vulkan backend's build: every shaders/*.comp compiled by glslc to SPIR-V (the GEMM and
# convolution shaders once per weight type), then embedded in the library as word arrays by
# embed_spirv.cmake. Included by native/CMakeLists.txt when SDN_VULKAN is on.
set(SDN_VK_SHADER_DIR ${CMAKE_CURRENT_LIST_DIR}/shaders)
set(SDN_VK_SPV_DIR ${CMAKE_CURRENT_BINARY_DIR}/vulkan_spirv)
file(GLOB SDN_VK_COMPUTE_SHADERS CONFIGURE_DEPENDS ${SDN_VK_SHADER_DIR}/*.comp)
file(GLOB SDN_VK_SHADER_INCLUDES CONFIGURE_DEPENDS ${SDN_VK_SHADER_DIR}/*.glsl)
set(SDN_VK_WEIGHT_TYPES f32 f16 bf16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_K q5_K q6_K)
set(SDN_VK_PER_WEIGHT_TYPE linear conv2d gather_rows)

set(spirv_files "")
foreach(shader ${SDN_VK_COMPUTE_SHADERS})
  get_filename_component(op ${shader} NAME_WE)
  if(op IN_LIST SDN_VK_PER_WEIGHT_TYPE)
    set(variants ${SDN_VK_WEIGHT_TYPES})
  else()
    set(variants "")
  endif()
  if(NOT variants)
    set(variants "-")
  endif()
  foreach(variant ${variants})
    if(variant STREQUAL "-")
      set(name ${op})
      set(defines "")
    else()
      set(name ${op}_${variant})
      string(TOUPPER ${variant} upper)
      set(defines -DWEIGHT_${upper})
    endif()
    set(spv ${SDN_VK_SPV_DIR}/${name}.spv)
    add_custom_command(OUTPUT ${spv}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${SDN_VK_SPV_DIR}
      COMMAND ${SDN_GLSLC} --target-env=vulkan1.2 -O ${defines} -I ${SDN_VK_SHADER_DIR}
              ${shader} -o ${spv}
      DEPENDS ${shader} ${SDN_VK_SHADER_INCLUDES}
      COMMENT "glslc ${name}.spv" VERBATIM)
    list(APPEND spirv_files ${spv})
  endforeach()
endforeach()

set(SDN_VK_EMBEDDED ${CMAKE_CURRENT_BINARY_DIR}/vulkan_embedded_shaders.g.cpp)
add_custom_command(OUTPUT ${SDN_VK_EMBEDDED}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${SDN_VK_EMBEDDED} "-DSPIRV=${spirv_files}"
          -P ${CMAKE_CURRENT_LIST_DIR}/embed_spirv.cmake
  DEPENDS ${spirv_files} ${CMAKE_CURRENT_LIST_DIR}/embed_spirv.cmake
  COMMENT "Embedding ${CMAKE_CURRENT_LIST_DIR} SPIR-V" VERBATIM)

target_sources(sdn_vulkan PRIVATE ${SDN_VK_EMBEDDED})
target_include_directories(sdn_vulkan PUBLIC ${Vulkan_INCLUDE_DIRS})
target_compile_definitions(sdn_vulkan PUBLIC VK_NO_PROTOTYPES SDN_HAVE_VULKAN=1)
target_link_libraries(sdn_vulkan PUBLIC ${CMAKE_DL_LIBS})
target_compile_options(sdn_vulkan PRIVATE -Wno-missing-field-initializers)  # {sType} initializers are the Vulkan idiom
