// An opened checkpoint: the memory-mapped model file, what it holds (architecture detection)
// and name lookups over it. Networks built from it keep it alive through shared ownership,
// so their WeightRefs stay valid while any of them lives.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/context.h"
#include "io/model_file.h"
#include "model/arch_detect.h"
#include "model/weight_lookup.h"

namespace sdn {

class Checkpoint {
public:
    // Opens by content (safetensors or GGUF). Throws Error(SDN_ERR_IO / SDN_ERR_FORMAT).
    static std::shared_ptr<Checkpoint> open(const std::string& path);

    const std::string& path() const { return file_->path(); }
    const ModelFile& file() const { return *file_; }
    const ArchDetection& detection() const { return detection_; }
    std::vector<std::string> names() const;

    // Finds tensors by full name. The lookup refers to this object: keep it alive.
    WeightLookup lookup() const;
    // Same, and records every name asked for into *used (which must outlive the lookup).
    WeightLookup recording_lookup(std::set<std::string>* used) const;

    // Tensors of the loaded components that no network asked for and that are not on the
    // ignore list, plus tensors belonging to no known component.
    std::vector<std::string> unexpected_tensors(const std::set<std::string>& used, bool unet,
                                                bool clip, bool vae) const;

private:
    std::unique_ptr<ModelFile> file_;
    ArchDetection detection_;
};

// Logs each unexpected tensor as a warning (and a one-line summary); returns the count.
size_t warn_unexpected(Context& ctx, const std::string& path,
                       const std::vector<std::string>& unexpected);

}  // namespace sdn
