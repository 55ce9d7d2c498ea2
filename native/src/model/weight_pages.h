// Where one network's weights lie inside its memory-mapped checkpoint, so that the pages can
// leave the process's resident set when a phase of work that used them ends (the sampler for
// the UNet, an encode for CLIP, a decode or encode for the VAE). The text encoder is done
// before sampling starts and the UNet before decoding, so peak memory is the largest network
// plus its activations, not every network of the file at once. Released pages stay in the
// page cache; touching them again costs a minor fault per page, never a disk read while the
// cache holds them, and never a different byte.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sdn {

class Checkpoint;

class WeightPages {
public:
    WeightPages() = default;
    // The tensors named, as the checkpoint stores them (names it lacks are skipped).
    WeightPages(std::shared_ptr<const Checkpoint> checkpoint, const std::set<std::string>& names);

    // Adds the pages of another file (a network read from two files: DualCLIPLoader's).
    void append(const WeightPages& other);

    // Drops the pages; harmless while another thread still reads the weights (it faults
    // them back in).
    void release() const;
    uint64_t bytes() const;

private:
    struct FileRanges {
        std::shared_ptr<const Checkpoint> checkpoint;
        std::vector<std::pair<const void*, uint64_t>> ranges;
    };
    std::vector<FileRanges> files_;
};

// Releases the pages when the scope ends, however it ends (a cancelled sampler included).
class ReleasePagesAtExit {
public:
    explicit ReleasePagesAtExit(const WeightPages& pages) : pages_(pages) {}
    ~ReleasePagesAtExit() { pages_.release(); }
    ReleasePagesAtExit(const ReleasePagesAtExit&) = delete;
    ReleasePagesAtExit& operator=(const ReleasePagesAtExit&) = delete;

private:
    const WeightPages& pages_;
};

}  // namespace sdn
