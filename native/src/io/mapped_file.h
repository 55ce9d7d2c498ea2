// A whole file mapped read-only into memory. Weights are views into the mapping, so the page
// cache is the only copy and untouched tensors are never read from disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/live_objects.h"

namespace sdn {

class MappedFile {
public:
    // Throws Error(SDN_ERR_IO) naming the file and the system's reason.
    explicit MappedFile(const std::string& path);
    // A copy of bytes already in memory, labelled `name` in messages (tests, fuzzing).
    MappedFile(const std::string& name, const void* data, size_t size);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const uint8_t* data() const { return data_; }
    uint64_t size() const { return size_; }
    const std::string& path() const { return path_; }

    // Drops the pages wholly inside [p, p + bytes) from this process's resident set. They
    // stay in the page cache, and the next read maps them back (a minor fault), so the bytes
    // seen never change: the mapping is read-only and file-backed. Does nothing for an
    // in-memory copy (dropping those pages would zero them) or outside the mapping.
    void release_pages(const void* p, uint64_t bytes) const;

private:
    LiveCount<SDN_LIVE_MAPPED_FILES> counted_;
    std::string path_;
    const uint8_t* data_ = nullptr;
    uint64_t size_ = 0;
    bool mapped_ = false;
    std::vector<uint8_t> owned_;
};

}  // namespace sdn
