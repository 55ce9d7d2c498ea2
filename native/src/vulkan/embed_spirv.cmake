# Writes OUTPUT, a C++ file holding every SPIR-V module in SPIRV (a list of .spv paths) as
# 32-bit words plus a table by name (the file name without .spv). Run by vulkan.cmake.
set(body "// Generated at build time from native/src/vulkan/shaders by embed_spirv.cmake. Do not edit.\n")
string(APPEND body "#include \"vulkan/embedded_shaders.h\"\n\nnamespace sdn::vk {\nnamespace {\n")
set(table "")
foreach(spv ${SPIRV})
  get_filename_component(name ${spv} NAME_WE)
  file(READ ${spv} hex HEX)
  # SPIR-V is little-endian words: bytes b0 b1 b2 b3 make the word 0xb3b2b1b0.
  string(REGEX REPLACE "(..)(..)(..)(..)" "0x\\4\\3\\2\\1u," words "${hex}")
  string(REGEX REPLACE "((0x[0-9a-f]+u,){8})" "\\1\n" words "${words}")
  string(APPEND body "const uint32_t k_${name}[] = {\n${words}};\n")
  string(APPEND table "    {\"${name}\", k_${name}, sizeof(k_${name}) / 4},\n")
endforeach()
string(APPEND body "const EmbeddedShader kShaders[] = {\n${table}};\n}  // namespace\n\n")
string(APPEND body "const EmbeddedShader* find_embedded_shader(const std::string& name) {\n")
string(APPEND body "    for (const EmbeddedShader& s : kShaders)\n        if (name == s.name) return &s;\n")
string(APPEND body "    return nullptr;\n}\n\n}  // namespace sdn::vk\n")
file(WRITE ${OUTPUT} "${body}")
