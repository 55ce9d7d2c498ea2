// A model file opened for reading: safetensors or GGUF, memory-mapped, every header field
// bounds-checked. Tensor data is handed out as WeightRef views into the mapping; nothing is
// read from disk until a view is touched.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "quant/dtype.h"

namespace sdn {

struct TensorEntry {
    std::string name;
    WeightRef ref;  // type, shape (PyTorch order, outermost first), data, nbytes
};

// A GGUF metadata value (arrays hold one element type).
struct MetaValue {
    enum class Kind { U8, I8, U16, I16, U32, I32, U64, I64, F32, F64, Bool, String, Array };
    Kind kind = Kind::U32;
    Kind array_kind = Kind::U32;  // element kind when kind == Array
    uint64_t u = 0;               // unsigned integers and bool
    int64_t i = 0;                // signed integers
    double f = 0;                 // floats
    std::string s;                // strings
    std::vector<MetaValue> array; // arrays (nested arrays allowed)
};

class ModelFile {
public:
    virtual ~ModelFile() = default;

    // Opens by content (magic), not by extension. Throws Error(SDN_ERR_IO / SDN_ERR_FORMAT)
    // with a message naming the file and the problem.
    static std::unique_ptr<ModelFile> open(const std::string& path);
    // The same for a file image already in memory (copied); `name` stands for the path in
    // messages. Used by tests and the fuzz targets.
    static std::unique_ptr<ModelFile> open_memory(const void* data, size_t size, const std::string& name);

    virtual const std::string& path() const = 0;
    virtual const char* format_name() const = 0;  // "safetensors" or "gguf"
    virtual const std::vector<TensorEntry>& tensors() const = 0;
    // nullptr when absent.
    virtual const TensorEntry* find(const std::string& name) const = 0;
    // GGUF key/value metadata; safetensors "__metadata__" strings appear as String values.
    virtual const std::map<std::string, MetaValue>& metadata() const = 0;
    // MappedFile::release_pages for a range of this file's tensor data.
    virtual void release_pages(const void* data, uint64_t bytes) const = 0;
};

}  // namespace sdn
