#include "io/model_file.h"

#include <cstring>

#include "io/model_file_impl.h"

namespace sdn {

namespace {

std::unique_ptr<ModelFile> open_mapped(std::shared_ptr<MappedFile> map) {
    const std::string& path = map->path();
    if (map->size() >= 4 && std::memcmp(map->data(), "GGUF", 4) == 0) return open_gguf(map);
    // safetensors has no magic: an 8-byte length followed by '{'.
    if (map->size() >= 9 && map->data()[8] == '{') return open_safetensors(map);
    fail(SDN_ERR_FORMAT, path + ": not a safetensors or GGUF file (unrecognised first bytes)");
}

}  // namespace

std::unique_ptr<ModelFile> ModelFile::open(const std::string& path) {
    return open_mapped(std::make_shared<MappedFile>(path));
}

std::unique_ptr<ModelFile> ModelFile::open_memory(const void* data, size_t size, const std::string& name) {
    return open_mapped(std::make_shared<MappedFile>(name, data, size));
}

}  // namespace sdn
