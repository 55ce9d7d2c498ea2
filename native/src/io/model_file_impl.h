// The shared implementation behind both file formats: a mapped file plus a tensor index.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "io/mapped_file.h"
#include "io/model_file.h"

namespace sdn {

class MappedModelFile : public ModelFile {
public:
    MappedModelFile(std::shared_ptr<MappedFile> map, const char* format)
        : map_(std::move(map)), format_(format) {}

    const std::string& path() const override { return map_->path(); }
    void release_pages(const void* data, uint64_t bytes) const override { map_->release_pages(data, bytes); }
    const char* format_name() const override { return format_; }
    const std::vector<TensorEntry>& tensors() const override { return tensors_; }
    const TensorEntry* find(const std::string& name) const override {
        auto it = index_.find(name);
        return it == index_.end() ? nullptr : &tensors_[it->second];
    }
    const std::map<std::string, MetaValue>& metadata() const override { return metadata_; }

    void add(TensorEntry entry) {
        SDN_REQUIRE(index_.emplace(entry.name, tensors_.size()).second, SDN_ERR_FORMAT,
                    path() + ": tensor '" + entry.name + "' appears twice");
        tensors_.push_back(std::move(entry));
    }

    std::map<std::string, MetaValue> metadata_;
    // Tensors the reader had to re-encode (see gguf_original_shape.h); entries point into them.
    std::vector<std::vector<uint16_t>> converted_;

private:
    std::shared_ptr<MappedFile> map_;
    const char* format_;
    std::vector<TensorEntry> tensors_;
    std::unordered_map<std::string, size_t> index_;
};

std::unique_ptr<ModelFile> open_safetensors(std::shared_ptr<MappedFile> map);
std::unique_ptr<ModelFile> open_gguf(std::shared_ptr<MappedFile> map);

}  // namespace sdn
