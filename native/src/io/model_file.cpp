#include "io/model_file.h"

#include <cstring>

#include "io/model_file_impl.h"

namespace sdn {

std::unique_ptr<ModelFile> ModelFile::open(const std::string& path) {
    auto map = std::make_shared<MappedFile>(path);
    if (map->size() >= 4 && std::memcmp(map->data(), "GGUF", 4) == 0) return open_gguf(map);
    // safetensors has no magic: an 8-byte length followed by '{'.
    if (map->size() >= 9 && map->data()[8] == '{') return open_safetensors(map);
    fail(SDN_ERR_FORMAT, path + ": not a safetensors or GGUF file (unrecognised first bytes)");
}

}  // namespace sdn
