#include "io/gguf_writer.h"

#include <cstdio>
#include <cstring>
#include <set>

#include "core/error.h"

namespace sdn {
namespace {

// GGUF value type ids.
uint32_t gguf_type_id(MetaValue::Kind k) {
    switch (k) {
        case MetaValue::Kind::U8: return 0;
        case MetaValue::Kind::I8: return 1;
        case MetaValue::Kind::U16: return 2;
        case MetaValue::Kind::I16: return 3;
        case MetaValue::Kind::U32: return 4;
        case MetaValue::Kind::I32: return 5;
        case MetaValue::Kind::F32: return 6;
        case MetaValue::Kind::Bool: return 7;
        case MetaValue::Kind::String: return 8;
        case MetaValue::Kind::Array: return 9;
        case MetaValue::Kind::U64: return 10;
        case MetaValue::Kind::I64: return 11;
        case MetaValue::Kind::F64: return 12;
    }
    return 0;
}

class Out {
public:
    explicit Out(const std::string& path) : path_(path) {
        f_ = std::fopen(path.c_str(), "wb");
        if (!f_) fail(SDN_ERR_IO, path + ": cannot create: " + std::strerror(errno));
    }
    ~Out() {
        if (f_) {  // not finished: an error is on its way out
            std::fclose(f_);
            std::remove(path_.c_str());
        }
    }
    void bytes(const void* p, size_t n) {
        if (n && std::fwrite(p, 1, n, f_) != n) fail(SDN_ERR_IO, path_ + ": write failed: " + std::strerror(errno));
        pos_ += n;
    }
    template <typename T>
    void pod(T v) {
        bytes(&v, sizeof(T));
    }
    void string(const std::string& s) {
        pod<uint64_t>(s.size());
        bytes(s.data(), s.size());
    }
    void pad_to(uint64_t alignment) {
        static const uint8_t zeros[256] = {};
        while (pos_ % alignment) bytes(zeros, std::min<uint64_t>(sizeof zeros, alignment - pos_ % alignment));
    }
    void finish() {
        FILE* f = f_;
        f_ = nullptr;
        if (std::fclose(f) != 0) {
            std::remove(path_.c_str());
            fail(SDN_ERR_IO, path_ + ": write failed on close: " + std::strerror(errno));
        }
    }

private:
    std::string path_;
    FILE* f_ = nullptr;
    uint64_t pos_ = 0;
};

void write_value_body(Out& out, const MetaValue& v) {
    switch (v.kind) {
        case MetaValue::Kind::U8: out.pod<uint8_t>(static_cast<uint8_t>(v.u)); break;
        case MetaValue::Kind::I8: out.pod<int8_t>(static_cast<int8_t>(v.i)); break;
        case MetaValue::Kind::U16: out.pod<uint16_t>(static_cast<uint16_t>(v.u)); break;
        case MetaValue::Kind::I16: out.pod<int16_t>(static_cast<int16_t>(v.i)); break;
        case MetaValue::Kind::U32: out.pod<uint32_t>(static_cast<uint32_t>(v.u)); break;
        case MetaValue::Kind::I32: out.pod<int32_t>(static_cast<int32_t>(v.i)); break;
        case MetaValue::Kind::U64: out.pod<uint64_t>(v.u); break;
        case MetaValue::Kind::I64: out.pod<int64_t>(v.i); break;
        case MetaValue::Kind::F32: out.pod<float>(static_cast<float>(v.f)); break;
        case MetaValue::Kind::F64: out.pod<double>(v.f); break;
        case MetaValue::Kind::Bool: out.pod<uint8_t>(v.u ? 1 : 0); break;
        case MetaValue::Kind::String: out.string(v.s); break;
        case MetaValue::Kind::Array:
            out.pod<uint32_t>(gguf_type_id(v.array_kind));
            out.pod<uint64_t>(v.array.size());
            for (const MetaValue& e : v.array) write_value_body(out, e);
            break;
    }
}

void check_value(const std::string& key, const MetaValue& v, int depth) {
    if (v.kind != MetaValue::Kind::Array) return;
    SDN_REQUIRE(depth < 8, SDN_ERR_INVALID_ARGUMENT, "GGUF metadata '" + key + "': arrays nested deeper than 8");
    for (const MetaValue& e : v.array) {
        SDN_REQUIRE(e.kind == v.array_kind, SDN_ERR_INVALID_ARGUMENT,
                    "GGUF metadata '" + key + "': array elements must all be of the array's element kind");
        check_value(key, e, depth + 1);
    }
}

MetaValue scalar(MetaValue::Kind k) {
    MetaValue v;
    v.kind = k;
    return v;
}

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
    SDN_REQUIRE(alignment > 0 && (alignment & (alignment - 1)) == 0 && alignment <= (1u << 20),
                SDN_ERR_INVALID_ARGUMENT, "GGUF alignment must be a power of two up to 1 MiB");
}

void GgufWriter::add_kv(const std::string& key, MetaValue v) {
    for (const auto& [k, _] : kv_)
        SDN_REQUIRE(k != key, SDN_ERR_INVALID_ARGUMENT, "GGUF metadata key '" + key + "' added twice");
    check_value(key, v, 0);
    kv_.emplace_back(key, std::move(v));
}

void GgufWriter::add_u8(const std::string& key, uint8_t v) { auto m = scalar(MetaValue::Kind::U8); m.u = v; add_kv(key, m); }
void GgufWriter::add_i8(const std::string& key, int8_t v) { auto m = scalar(MetaValue::Kind::I8); m.i = v; add_kv(key, m); }
void GgufWriter::add_u16(const std::string& key, uint16_t v) { auto m = scalar(MetaValue::Kind::U16); m.u = v; add_kv(key, m); }
void GgufWriter::add_i16(const std::string& key, int16_t v) { auto m = scalar(MetaValue::Kind::I16); m.i = v; add_kv(key, m); }
void GgufWriter::add_u32(const std::string& key, uint32_t v) { auto m = scalar(MetaValue::Kind::U32); m.u = v; add_kv(key, m); }
void GgufWriter::add_i32(const std::string& key, int32_t v) { auto m = scalar(MetaValue::Kind::I32); m.i = v; add_kv(key, m); }
void GgufWriter::add_u64(const std::string& key, uint64_t v) { auto m = scalar(MetaValue::Kind::U64); m.u = v; add_kv(key, m); }
void GgufWriter::add_i64(const std::string& key, int64_t v) { auto m = scalar(MetaValue::Kind::I64); m.i = v; add_kv(key, m); }
void GgufWriter::add_f32(const std::string& key, float v) { auto m = scalar(MetaValue::Kind::F32); m.f = v; add_kv(key, m); }
void GgufWriter::add_f64(const std::string& key, double v) { auto m = scalar(MetaValue::Kind::F64); m.f = v; add_kv(key, m); }
void GgufWriter::add_bool(const std::string& key, bool v) { auto m = scalar(MetaValue::Kind::Bool); m.u = v; add_kv(key, m); }

void GgufWriter::add_string(const std::string& key, const std::string& v) {
    auto m = scalar(MetaValue::Kind::String);
    m.s = v;
    add_kv(key, std::move(m));
}

void GgufWriter::add_string_array(const std::string& key, const std::vector<std::string>& values) {
    MetaValue m = scalar(MetaValue::Kind::Array);
    m.array_kind = MetaValue::Kind::String;
    m.array.reserve(values.size());
    for (const auto& s : values) {
        MetaValue e = scalar(MetaValue::Kind::String);
        e.s = s;
        m.array.push_back(std::move(e));
    }
    add_kv(key, std::move(m));
}

void GgufWriter::add_value(const std::string& key, const MetaValue& value) { add_kv(key, value); }

GgufWriter::Tensor& GgufWriter::add_tensor_info(const std::string& name, DType type,
                                                const std::vector<int64_t>& shape) {
    for (const auto& t : tensors_)
        SDN_REQUIRE(t.name != name, SDN_ERR_INVALID_ARGUMENT, "GGUF tensor '" + name + "' added twice");
    SDN_REQUIRE(!shape.empty() && shape.size() <= 4, SDN_ERR_INVALID_ARGUMENT,
                "GGUF tensor '" + name + "': 1 to 4 dimensions");
    int64_t elements = 1;
    for (int64_t d : shape) {
        SDN_REQUIRE(d > 0 && elements <= (int64_t(1) << 48) / d, SDN_ERR_INVALID_ARGUMENT,
                    "GGUF tensor '" + name + "': dimensions must be positive and not overflow");
        elements *= d;
    }
    SDN_REQUIRE(dtype_known(static_cast<int32_t>(type)), SDN_ERR_INVALID_ARGUMENT,
                "GGUF tensor '" + name + "': unknown type");
    const DTypeTraits& tr = dtype_traits(type);
    SDN_REQUIRE(shape.back() % tr.block_elems == 0, SDN_ERR_INVALID_ARGUMENT,
                "GGUF tensor '" + name + "': rows of " + std::to_string(shape.back()) + " values are not whole " +
                    tr.name + " blocks of " + std::to_string(tr.block_elems));
    Tensor t;
    t.name = name;
    t.type = type;
    t.shape = shape;
    t.nbytes = static_cast<uint64_t>(dtype_row_bytes(type, elements));
    tensors_.push_back(std::move(t));
    return tensors_.back();
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& shape,
                            const void* data, size_t nbytes) {
    Tensor& t = add_tensor_info(name, type, shape);
    if (nbytes != t.nbytes) {
        std::string expected = std::to_string(t.nbytes);
        tensors_.pop_back();
        fail(SDN_ERR_INVALID_ARGUMENT, "GGUF tensor '" + name + "': " + std::to_string(nbytes) +
                                           " bytes given, its shape and type need " + expected);
    }
    const auto* p = static_cast<const uint8_t*>(data);
    t.data.assign(p, p + nbytes);
}

void GgufWriter::add_tensor(const std::string& name, DType type, const std::vector<int64_t>& shape,
                            BytesFn bytes) {
    SDN_REQUIRE(bytes != nullptr, SDN_ERR_INVALID_ARGUMENT, "GGUF tensor '" + name + "': no data source");
    add_tensor_info(name, type, shape).bytes = std::move(bytes);
}

void GgufWriter::write(const std::string& path) const {
    std::vector<std::pair<std::string, MetaValue>> kv = kv_;
    bool has_alignment = false;
    for (const auto& [k, v] : kv) has_alignment |= k == "general.alignment";
    if (alignment_ != 32 && !has_alignment) {
        MetaValue a = scalar(MetaValue::Kind::U32);
        a.u = alignment_;
        kv.emplace(kv.begin(), "general.alignment", a);
    }
    Out out(path);
    out.bytes("GGUF", 4);
    out.pod<uint32_t>(3);
    out.pod<uint64_t>(tensors_.size());
    out.pod<uint64_t>(kv.size());
    for (const auto& [key, v] : kv) {
        out.string(key);
        out.pod<uint32_t>(gguf_type_id(v.kind));
        write_value_body(out, v);
    }
    uint64_t offset = 0;
    for (const Tensor& t : tensors_) {
        out.string(t.name);
        out.pod<uint32_t>(static_cast<uint32_t>(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) out.pod<uint64_t>(static_cast<uint64_t>(*it));
        out.pod<uint32_t>(static_cast<uint32_t>(t.type));
        out.pod<uint64_t>(offset);
        offset = (offset + t.nbytes + alignment_ - 1) / alignment_ * alignment_;
    }
    out.pad_to(alignment_);
    std::vector<uint8_t> buffer;
    for (const Tensor& t : tensors_) {
        if (t.bytes) {
            buffer.assign(t.nbytes, 0);
            t.bytes(buffer.data(), buffer.size());
            out.bytes(buffer.data(), buffer.size());
        } else {
            out.bytes(t.data.data(), t.data.size());
        }
        out.pad_to(alignment_);
    }
    out.finish();
}

}  // namespace sdn
