// GGUF v2/v3 reader: header, key/value metadata (every value type, nested arrays), tensor
// infos, aligned data section. Counts and lengths are checked against the bytes that remain
// before anything is allocated, so a hostile header cannot make us allocate or loop for long.
#include <cstring>

#include "core/error.h"
#include "io/gguf_original_shape.h"
#include "io/model_file_impl.h"

namespace sdn {
namespace {

enum GgufType : uint32_t {
    kU8 = 0, kI8 = 1, kU16 = 2, kI16 = 3, kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7,
    kString = 8, kArray = 9, kU64 = 10, kI64 = 11, kF64 = 12,
};

class Cursor {
public:
    Cursor(const MappedFile& map) : map_(map) {}

    [[noreturn]] void error(const std::string& problem) const {
        fail(SDN_ERR_FORMAT, map_.path() + ": GGUF " + problem + " (at byte " + std::to_string(pos_) + ")");
    }
    uint64_t remaining() const { return map_.size() - pos_; }
    // Each metadata value costs far more memory than its bytes in the file (a one-byte u8 array
    // element becomes a MetaValue), so the total is capped: 4M values is well above any real
    // tokenizer (CLIP's vocabulary and merges are about 100k strings).
    void count_value() {
        if (++values_ > (uint64_t(1) << 22)) error("more than 4194304 metadata values");
    }
    uint64_t pos() const { return pos_; }

    template <typename T>
    T read() {
        if (remaining() < sizeof(T)) error("truncated");
        T v;
        std::memcpy(&v, map_.data() + pos_, sizeof(T));
        pos_ += sizeof(T);
        return v;
    }

    std::string string() {
        uint64_t n = read<uint64_t>();
        if (n > remaining()) error("string length " + std::to_string(n) + " runs past the end of the file");
        if (n > (1u << 24)) error("string longer than 16 MiB");
        std::string s(reinterpret_cast<const char*>(map_.data() + pos_), n);
        pos_ += n;
        return s;
    }

private:
    const MappedFile& map_;
    uint64_t pos_ = 0;
    uint64_t values_ = 0;
};

uint64_t min_value_bytes(uint32_t type) {
    switch (type) {
        case kU8: case kI8: case kBool: return 1;
        case kU16: case kI16: return 2;
        case kU32: case kI32: case kF32: return 4;
        case kU64: case kI64: case kF64: return 8;
        case kString: return 8;
        case kArray: return 12;
        default: return 0;
    }
}

MetaValue::Kind kind_of(uint32_t type, Cursor& c) {
    switch (type) {
        case kU8: return MetaValue::Kind::U8;
        case kI8: return MetaValue::Kind::I8;
        case kU16: return MetaValue::Kind::U16;
        case kI16: return MetaValue::Kind::I16;
        case kU32: return MetaValue::Kind::U32;
        case kI32: return MetaValue::Kind::I32;
        case kF32: return MetaValue::Kind::F32;
        case kBool: return MetaValue::Kind::Bool;
        case kString: return MetaValue::Kind::String;
        case kArray: return MetaValue::Kind::Array;
        case kU64: return MetaValue::Kind::U64;
        case kI64: return MetaValue::Kind::I64;
        case kF64: return MetaValue::Kind::F64;
        default: c.error("unknown metadata value type " + std::to_string(type));
    }
}

MetaValue read_value(Cursor& c, uint32_t type, int depth) {
    if (depth > 8) c.error("metadata arrays nested deeper than 8");
    c.count_value();
    MetaValue v;
    v.kind = kind_of(type, c);
    switch (type) {
        case kU8: v.u = c.read<uint8_t>(); break;
        case kI8: v.i = c.read<int8_t>(); break;
        case kU16: v.u = c.read<uint16_t>(); break;
        case kI16: v.i = c.read<int16_t>(); break;
        case kU32: v.u = c.read<uint32_t>(); break;
        case kI32: v.i = c.read<int32_t>(); break;
        case kF32: v.f = c.read<float>(); break;
        case kBool: {
            uint8_t b = c.read<uint8_t>();
            if (b > 1) c.error("bool value " + std::to_string(b));
            v.u = b;
            break;
        }
        case kString: v.s = c.string(); break;
        case kU64: v.u = c.read<uint64_t>(); break;
        case kI64: v.i = c.read<int64_t>(); break;
        case kF64: v.f = c.read<double>(); break;
        case kArray: {
            uint32_t elem = c.read<uint32_t>();
            uint64_t n = c.read<uint64_t>();
            uint64_t each = min_value_bytes(elem);
            if (each == 0) c.error("unknown array element type " + std::to_string(elem));
            if (n > c.remaining() / each) c.error("array of " + std::to_string(n) + " elements cannot fit in the file");
            if (n > (uint64_t(1) << 22)) c.error("array of " + std::to_string(n) + " elements (4194304 is the limit)");
            v.array_kind = kind_of(elem, c);
            v.array.reserve(n);
            for (uint64_t i = 0; i < n; ++i) v.array.push_back(read_value(c, elem, depth + 1));
            break;
        }
    }
    return v;
}

}  // namespace

std::unique_ptr<ModelFile> open_gguf(std::shared_ptr<MappedFile> map) {
    auto file = std::make_unique<MappedModelFile>(map, "gguf");
    Cursor c(*map);
    c.read<uint32_t>();  // magic, checked by the caller
    uint32_t version = c.read<uint32_t>();
    if (version != 2 && version != 3) c.error("version " + std::to_string(version) + " (2 and 3 are read)");
    uint64_t n_tensors = c.read<uint64_t>();
    uint64_t n_kv = c.read<uint64_t>();
    // Smallest possible entries: a KV is an empty key (8) + type (4) + a 1-byte value;
    // a tensor info is an empty name (8) + n_dims (4) + type (4) + offset (8).
    if (n_kv > c.remaining() / 13) c.error(std::to_string(n_kv) + " metadata entries cannot fit in the file");
    if (n_tensors > c.remaining() / 24) c.error(std::to_string(n_tensors) + " tensors cannot fit in the file");

    for (uint64_t i = 0; i < n_kv; ++i) {
        std::string key = c.string();
        uint32_t type = c.read<uint32_t>();
        MetaValue v = read_value(c, type, 0);
        if (!file->metadata_.emplace(key, std::move(v)).second) c.error("duplicate metadata key '" + key + "'");
    }
    uint64_t alignment = 32;
    if (auto it = file->metadata_.find("general.alignment"); it != file->metadata_.end()) {
        const MetaValue& a = it->second;
        alignment = a.kind == MetaValue::Kind::U32 || a.kind == MetaValue::Kind::U64 ? a.u : 0;
        if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > (1u << 20))
            c.error("general.alignment must be a power of two up to 1 MiB");
    }

    struct Info {
        TensorEntry entry;
        uint64_t offset;
    };
    std::vector<Info> infos;
    infos.reserve(n_tensors);
    for (uint64_t i = 0; i < n_tensors; ++i) {
        Info info;
        info.entry.name = c.string();
        const std::string& name = info.entry.name;
        uint32_t n_dims = c.read<uint32_t>();
        if (n_dims == 0 || n_dims > 4) c.error("tensor '" + name + "' has " + std::to_string(n_dims) + " dimensions");
        std::vector<int64_t> ne(n_dims);
        uint64_t count = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            uint64_t v = c.read<uint64_t>();
            if (v == 0 || v > (uint64_t(1) << 40) || count > (uint64_t(1) << 48) / v)
                c.error("tensor '" + name + "' has an impossible dimension " + std::to_string(v));
            count *= v;
            ne[d] = static_cast<int64_t>(v);
        }
        int32_t type = static_cast<int32_t>(c.read<uint32_t>());
        if (!dtype_known(type)) c.error("tensor '" + name + "' has unknown type id " + std::to_string(type));
        info.entry.ref.type = static_cast<DType>(type);
        const DTypeTraits& traits = dtype_traits(info.entry.ref.type);
        if (ne[0] % traits.block_elems != 0)
            c.error("tensor '" + name + "': row of " + std::to_string(ne[0]) + " values is not a multiple of the " +
                    traits.name + " block size " + std::to_string(traits.block_elems));
        info.offset = c.read<uint64_t>();
        if (info.offset % alignment != 0) c.error("tensor '" + name + "' data offset is not aligned");
        // GGUF lists ne[0] (innermost) first; we keep PyTorch order, outermost first.
        info.entry.ref.shape.assign(ne.rbegin(), ne.rend());
        info.entry.ref.nbytes = static_cast<int64_t>(count / traits.block_elems * traits.block_bytes);
        infos.push_back(std::move(info));
    }
    uint64_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
    // A file without tensors needs no data section (writers may leave out the padding).
    if (infos.empty()) return file;
    if (data_start > map->size()) c.error("data section starts past the end of the file");
    uint64_t data_size = map->size() - data_start;
    for (auto& info : infos) {
        uint64_t nbytes = static_cast<uint64_t>(info.entry.ref.nbytes);
        if (info.offset > data_size || nbytes > data_size - info.offset)
            c.error("tensor '" + info.entry.name + "' data runs past the end of the file");
        info.entry.ref.data = map->data() + data_start + info.offset;
        apply_gguf_original_shape(file->metadata_, info.entry, file->converted_);
        file->add(std::move(info.entry));
    }
    return file;
}

}  // namespace sdn
