// Writers for test checkpoints: safetensors (8-byte header length, JSON header, raw data) and
// GGUF v3 (header, key/values, tensor infos with innermost-first dims, aligned data).
#include "model/test_model_writer.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>

#include "core/error.h"
#include "core/half.h"
#include "model/convert_weight_encoding.h"

namespace sdn {

DType storage_type_for(const std::string& name, const std::vector<int64_t>& shape, DType type) {
    const bool plain_weight = shape.size() >= 2;
    if (!plain_weight) return DType::F32;  // norms, biases, schedule buffers
    const DTypeTraits& tr = dtype_traits(type);
    if (!tr.quantized) return type;
    const bool embedding = name.find("embedding") != std::string::npos;
    if (embedding || shape.back() % tr.block_elems != 0) return DType::F16;
    return type;
}

namespace {

struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

File open_for_write(const std::string& path) {
    File f(std::fopen(path.c_str(), "wb"));
    SDN_REQUIRE(f != nullptr, SDN_ERR_IO, "cannot create " + path);
    return f;
}

void put(FILE* f, const void* data, size_t n, const std::string& path) {
    SDN_REQUIRE(n == 0 || std::fwrite(data, 1, n, f) == n, SDN_ERR_IO, "write failed: " + path);
}

const char* safetensors_dtype(DType t) {
    switch (t) {
        case DType::F32: return "F32";
        case DType::F16: return "F16";
        case DType::BF16: return "BF16";
        case DType::I64: return "I64";
        default: fail(SDN_ERR_INVALID_ARGUMENT, "safetensors holds f32, f16 or bf16 weights only");
    }
}

std::vector<uint8_t> tensor_bytes(const TestTensor& t, DType type) {
    if (t.is_i64) {
        std::vector<uint8_t> out(t.i64_values.size() * 8);
        std::memcpy(out.data(), t.i64_values.data(), out.size());
        return out;
    }
    return encode_weight(t.values.data(), static_cast<int64_t>(t.values.size()),
                         t.shape.empty() ? 1 : t.shape.back(), type);
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<TestTensor>& tensors,
                       DType type) {
    SDN_REQUIRE(type == DType::F32 || type == DType::F16 || type == DType::BF16,
                SDN_ERR_INVALID_ARGUMENT, "safetensors test models take f32, f16 or bf16");
    std::vector<std::vector<uint8_t>> blobs;
    std::ostringstream header;
    header << "{\"__metadata__\":{\"format\":\"pt\"}";
    uint64_t offset = 0;
    for (const TestTensor& t : tensors) {
        const DType st = t.is_i64 ? DType::I64 : (t.shape.size() >= 2 ? type : DType::F32);
        blobs.push_back(tensor_bytes(t, st));
        header << ",\"" << t.name << "\":{\"dtype\":\"" << safetensors_dtype(st)
               << "\",\"shape\":[";
        for (size_t i = 0; i < t.shape.size(); ++i) header << (i ? "," : "") << t.shape[i];
        header << "],\"data_offsets\":[" << offset << "," << offset + blobs.back().size() << "]}";
        offset += blobs.back().size();
    }
    header << "}";
    std::string h = header.str();
    while (h.size() % 8 != 0) h += ' ';
    File f = open_for_write(path);
    const uint64_t hlen = h.size();
    put(f.get(), &hlen, 8, path);
    put(f.get(), h.data(), h.size(), path);
    for (const auto& b : blobs) put(f.get(), b.data(), b.size(), path);
    SDN_REQUIRE(std::fflush(f.get()) == 0, SDN_ERR_IO, "write failed: " + path);
}

namespace {

constexpr uint64_t kGgufAlignment = 32;

class GgufOut {
public:
    void u32(uint32_t v) { raw(&v, 4); }
    void u64(uint64_t v) { raw(&v, 8); }
    void str(const std::string& s) {
        u64(s.size());
        raw(s.data(), s.size());
    }
    void raw(const void* p, size_t n) {
        const auto* b = static_cast<const uint8_t*>(p);
        bytes.insert(bytes.end(), b, b + n);
    }
    std::vector<uint8_t> bytes;
};

enum GgufValueType : uint32_t { kGgufU32 = 4, kGgufI32 = 5, kGgufString = 8, kGgufArray = 9 };

}  // namespace

void write_gguf_streaming(const std::string& path, const std::vector<GgufTensorPlan>& plan,
                          const std::vector<GgufMeta>& metadata,
                          const std::function<std::vector<uint8_t>(size_t index)>& bytes) {
    GgufOut head;
    head.raw("GGUF", 4);
    head.u32(3);
    head.u64(plan.size());
    head.u64(metadata.size());
    for (const GgufMeta& m : metadata) {
        head.str(m.key);
        if (!m.i32s.empty()) {
            head.u32(kGgufArray);
            head.u32(kGgufI32);
            head.u64(m.i32s.size());
            for (int32_t v : m.i32s) head.raw(&v, 4);
        } else if (!m.strings.empty()) {
            head.u32(kGgufArray);
            head.u32(kGgufString);
            head.u64(m.strings.size());
            for (const std::string& s : m.strings) head.str(s);
        } else if (m.is_string) {
            head.u32(kGgufString);
            head.str(m.s);
        } else {
            head.u32(kGgufU32);
            head.u32(m.u);
        }
    }
    uint64_t offset = 0;
    std::vector<int64_t> sizes;
    for (const GgufTensorPlan& t : plan) {
        int64_t n = 1;
        for (int64_t d : t.shape) n *= d;
        const int64_t size = dtype_row_bytes(t.type, n);
        SDN_REQUIRE(size >= 0, SDN_ERR_INVALID_ARGUMENT,
                    t.name + ": element count does not fill whole blocks of its type");
        sizes.push_back(size);
        head.str(t.name);
        head.u32(static_cast<uint32_t>(t.shape.size()));
        for (size_t i = t.shape.size(); i-- > 0;) head.u64(static_cast<uint64_t>(t.shape[i]));
        head.u32(static_cast<uint32_t>(t.type));
        head.u64(offset);
        offset += static_cast<uint64_t>(size);
        offset = (offset + kGgufAlignment - 1) / kGgufAlignment * kGgufAlignment;
    }
    while (head.bytes.size() % kGgufAlignment != 0) head.bytes.push_back(0);
    File f = open_for_write(path);
    put(f.get(), head.bytes.data(), head.bytes.size(), path);
    const uint8_t zeros[kGgufAlignment] = {};
    for (size_t i = 0; i < plan.size(); ++i) {
        const std::vector<uint8_t> b = bytes(i);
        SDN_REQUIRE(static_cast<int64_t>(b.size()) == sizes[i], SDN_ERR_INTERNAL,
                    plan[i].name + ": encoded size differs from its plan");
        put(f.get(), b.data(), b.size(), path);
        const size_t pad = (kGgufAlignment - b.size() % kGgufAlignment) % kGgufAlignment;
        put(f.get(), zeros, pad, path);
    }
    SDN_REQUIRE(std::fflush(f.get()) == 0, SDN_ERR_IO, "write failed: " + path);
}

void write_gguf(const std::string& path, const std::vector<TestTensor>& tensors, DType type,
                const std::vector<GgufMeta>& metadata) {
    std::vector<const TestTensor*> kept;
    std::vector<GgufTensorPlan> plan;
    for (const TestTensor& t : tensors) {
        if (t.is_i64) continue;
        kept.push_back(&t);
        plan.push_back({t.name, t.shape, storage_type_for(t.name, t.shape, type)});
    }
    write_gguf_streaming(path, plan, metadata,
                         [&](size_t i) { return tensor_bytes(*kept[i], plan[i].type); });
}

}  // namespace sdn
