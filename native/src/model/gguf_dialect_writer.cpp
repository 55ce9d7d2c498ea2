#include "model/gguf_dialect_writer.h"

#include "core/error.h"
#include "io/gguf_original_shape.h"
#include "model/convert_weight_encoding.h"

namespace sdn {

namespace {

constexpr const char* kUnetPrefix = "model.diffusion_model.";

bool contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

int64_t element_count(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

struct Planned {
    const TestTensor* tensor;
    GgufTensorPlan plan;
};

void write_planned(const std::string& path, const std::vector<Planned>& planned,
                   const std::vector<GgufMeta>& metadata) {
    std::vector<GgufTensorPlan> plan;
    for (const Planned& p : planned) plan.push_back(p.plan);
    write_gguf_streaming(path, plan, metadata, [&](size_t i) {
        const Planned& p = planned[i];
        const std::vector<float>& v = p.tensor->values;
        return encode_weight(v.data(), static_cast<int64_t>(v.size()), p.plan.shape.back(), p.plan.type);
    });
}

bool whole_blocks(int64_t row, DType type) { return row % dtype_traits(type).block_elems == 0; }

}  // namespace

void write_sdcpp_gguf(const std::string& path, const std::vector<TestTensor>& tensors, DType type) {
    std::vector<Planned> planned;
    for (const TestTensor& t : tensors) {
        if (t.is_i64) continue;  // position_ids are rebuilt by every loader
        // The source checkpoint: f16 weights when converting to a quantized type, else `type`.
        const DType source = dtype_traits(type).quantized ? DType::F16 : type;
        DType stored = t.shape.size() >= 2 ? source : DType::F32;
        const bool kept = contains(t.name, ".bias") || contains(t.name, "embedding") ||
                          contains(t.name, "time_embed.") || contains(t.name, "label_emb.");
        if (t.shape.size() >= 2 && !kept && whole_blocks(t.shape.back(), type)) stored = type;
        planned.push_back({&t, {t.name, t.shape, stored}});
    }
    write_planned(path, planned, {});
}

void write_comfy_gguf_unet(const std::string& path, const std::vector<TestTensor>& tensors, DType type) {
    std::vector<Planned> planned;
    std::vector<GgufMeta> metadata = {gguf_string("general.architecture", "sd1")};
    GgufMeta version;
    version.key = "general.quantization_version";
    version.is_string = false;
    version.u = 2;
    metadata.push_back(version);
    GgufMeta file_type = version;
    file_type.key = "general.file_type";
    file_type.u = static_cast<uint32_t>(type);
    metadata.push_back(file_type);
    const std::string prefix = kUnetPrefix;
    for (const TestTensor& t : tensors) {
        if (t.is_i64 || t.name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string name = t.name.substr(prefix.size());
        std::vector<int64_t> shape = t.shape;
        const int64_t n = element_count(shape);
        if (shape.size() >= 2 && n >= 512 && n % 256 == 0 && shape.back() % 256 != 0) {
            GgufMeta original;
            original.key = gguf_original_shape_key(name);
            for (int64_t d : shape) original.i32s.push_back(static_cast<int32_t>(d));
            metadata.push_back(original);
            shape = {n / 256, 256};
        }
        DType stored = DType::F32;
        if (shape.size() >= 2) stored = whole_blocks(shape.back(), type) ? type : DType::F16;
        planned.push_back({&t, {name, shape, stored}});
    }
    SDN_REQUIRE(!planned.empty(), SDN_ERR_INVALID_ARGUMENT, "no UNet tensors to write");
    write_planned(path, planned, metadata);
}

}  // namespace sdn
