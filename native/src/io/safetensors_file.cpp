// safetensors: 8-byte little-endian header length, a JSON header naming each tensor's dtype,
// shape and [begin, end) byte range inside the data section, then the data. Every field is
// checked against the file before a view is handed out.
#include <cstring>
#include <set>

#include "core/error.h"
#include "io/json_value.h"
#include "io/model_file_impl.h"

namespace sdn {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull << 20;  // 100 MB: far above any real checkpoint's

DType safetensors_dtype(const std::string& s) {
    if (s == "F32") return DType::F32;
    if (s == "F16") return DType::F16;
    if (s == "BF16") return DType::BF16;
    if (s == "I64") return DType::I64;
    return DType::Invalid;
}

}  // namespace

std::unique_ptr<ModelFile> open_safetensors(std::shared_ptr<MappedFile> map) {
    const std::string& path = map->path();
    auto file = std::make_unique<MappedModelFile>(map, "safetensors");
    SDN_REQUIRE(map->size() >= 8, SDN_ERR_FORMAT, path + ": file too short for a safetensors header");
    uint64_t header_len = 0;
    std::memcpy(&header_len, map->data(), 8);  // little-endian on every platform we build for
    SDN_REQUIRE(header_len <= kMaxHeaderBytes, SDN_ERR_FORMAT,
                path + ": safetensors header length " + std::to_string(header_len) +
                    " exceeds the 100 MB limit");
    SDN_REQUIRE(header_len <= map->size() - 8, SDN_ERR_FORMAT,
                path + ": safetensors header length " + std::to_string(header_len) +
                    " runs past the end of the file (" + std::to_string(map->size()) + " bytes)");
    std::string_view text(reinterpret_cast<const char*>(map->data()) + 8, header_len);
    json::Value header = json::parse(text, path + ": safetensors header");
    SDN_REQUIRE(header.kind == json::Value::Kind::Object, SDN_ERR_FORMAT,
                path + ": safetensors header is not a JSON object");
    const uint64_t data_start = 8 + header_len;
    const uint64_t data_size = map->size() - data_start;

    for (const json::Member& member : header.object) {
        const std::string& name = member.key;  // (named, not a structured binding: lambdas capture it)
        const json::Value& info = member.value;
        if (name == "__metadata__") {
            SDN_REQUIRE(info.kind == json::Value::Kind::Object, SDN_ERR_FORMAT,
                        path + ": __metadata__ is not an object");
            for (const auto& [k, v] : info.object) {
                SDN_REQUIRE(v.kind == json::Value::Kind::String, SDN_ERR_FORMAT,
                            path + ": __metadata__ value '" + k + "' is not a string");
                MetaValue mv;
                mv.kind = MetaValue::Kind::String;
                mv.s = v.string;
                file->metadata_[k] = std::move(mv);
            }
            continue;
        }
        auto bad = [&](const std::string& problem) {
            fail(SDN_ERR_FORMAT, path + ": tensor '" + name + "': " + problem);
        };
        if (info.kind != json::Value::Kind::Object) bad("entry is not an object");
        const json::Value* dtype = info.find("dtype");
        const json::Value* shape = info.find("shape");
        const json::Value* offsets = info.find("data_offsets");
        if (!dtype || dtype->kind != json::Value::Kind::String) bad("missing dtype");
        if (!shape || shape->kind != json::Value::Kind::Array) bad("missing shape");
        if (!offsets || offsets->kind != json::Value::Kind::Array || offsets->array.size() != 2)
            bad("data_offsets must be [begin, end]");
        DType type = safetensors_dtype(dtype->string);
        if (type == DType::Invalid) bad("unsupported dtype " + dtype->string + " (F32, F16, BF16 and I64 are read)");
        if (shape->array.size() > 4) bad("more than 4 dimensions");
        TensorEntry entry;
        entry.name = name;
        entry.ref.type = type;
        uint64_t count = 1;
        for (const auto& d : shape->array) {
            if (d.kind != json::Value::Kind::Number || !d.is_integer || d.integer < 0)
                bad("shape holds a value that is not a non-negative integer");
            if (d.integer != 0 && count > (uint64_t(1) << 48) / static_cast<uint64_t>(d.integer))
                bad("shape is too large");
            count *= static_cast<uint64_t>(d.integer);
            entry.ref.shape.push_back(d.integer);
        }
        for (const auto& o : offsets->array)
            if (o.kind != json::Value::Kind::Number || !o.is_integer || o.integer < 0)
                bad("data_offsets hold a value that is not a non-negative integer");
        uint64_t begin = static_cast<uint64_t>(offsets->array[0].integer);
        uint64_t end = static_cast<uint64_t>(offsets->array[1].integer);
        if (begin > end) bad("data_offsets begin after they end");
        if (end > data_size)
            bad("data [" + std::to_string(begin) + ", " + std::to_string(end) +
                ") runs past the end of the file's data section (" + std::to_string(data_size) + " bytes)");
        uint64_t expected = count * static_cast<uint64_t>(dtype_traits(type).block_bytes);
        if (end - begin != expected)
            bad("holds " + std::to_string(end - begin) + " bytes but its shape and dtype need " +
                std::to_string(expected));
        entry.ref.data = map->data() + data_start + begin;
        entry.ref.nbytes = static_cast<int64_t>(end - begin);
        file->add(std::move(entry));
    }
    return file;
}

}  // namespace sdn
