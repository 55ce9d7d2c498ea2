// Writes GGUF v3 files: key/value metadata of every GGUF value type (arrays, including string
// arrays and nested arrays), tensors with PyTorch-order shapes, chosen alignment. Tensor data
// is either copied in or produced by a callback at write time, so a converter can stream a
// checkpoint without holding it in memory.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/model_file.h"
#include "quant/dtype.h"

namespace sdn {

class GgufWriter {
public:
    // Produces exactly the tensor's byte count into dst.
    using BytesFn = std::function<void(uint8_t* dst, size_t nbytes)>;

    // alignment: a power of two; a value other than GGUF's default 32 is recorded as
    // general.alignment (u32) so readers find the data.
    explicit GgufWriter(uint32_t alignment = 32);

    void add_u8(const std::string& key, uint8_t v);
    void add_i8(const std::string& key, int8_t v);
    void add_u16(const std::string& key, uint16_t v);
    void add_i16(const std::string& key, int16_t v);
    void add_u32(const std::string& key, uint32_t v);
    void add_i32(const std::string& key, int32_t v);
    void add_u64(const std::string& key, uint64_t v);
    void add_i64(const std::string& key, int64_t v);
    void add_f32(const std::string& key, float v);
    void add_f64(const std::string& key, double v);
    void add_bool(const std::string& key, bool v);
    void add_string(const std::string& key, const std::string& v);
    void add_string_array(const std::string& key, const std::vector<std::string>& values);
    // Any value, arrays included (kind Array with array_kind naming the element kind; an
    // element that is itself an array carries its own array_kind).
    void add_value(const std::string& key, const MetaValue& value);

    // shape is PyTorch order (outermost first); the innermost dimension must split into whole
    // blocks of the type, and data must hold exactly dtype_row_bytes(type, elements) bytes.
    void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& shape, const void* data,
                    size_t nbytes);
    void add_tensor(const std::string& name, DType type, const std::vector<int64_t>& shape, BytesFn bytes);

    // Writes the file (replacing any existing one). Throws Error(SDN_ERR_IO) naming the path
    // when the file cannot be written; a partly written file is removed.
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        DType type;
        std::vector<int64_t> shape;
        uint64_t nbytes;
        std::vector<uint8_t> data;  // when copied in
        BytesFn bytes;              // when produced at write time
    };
    void add_kv(const std::string& key, MetaValue v);
    Tensor& add_tensor_info(const std::string& name, DType type, const std::vector<int64_t>& shape);

    uint32_t alignment_;
    std::vector<std::pair<std::string, MetaValue>> kv_;
    std::vector<Tensor> tensors_;
};

}  // namespace sdn
