#include "io/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace sdn {

MappedFile::MappedFile(const std::string& path) : path_(path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(SDN_ERR_IO, path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(SDN_ERR_IO, path + ": not a regular file");
    }
    size_ = static_cast<uint64_t>(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            fail(SDN_ERR_IO, path + ": cannot map: " + std::strerror(err));
        }
        data_ = static_cast<const uint8_t*>(p);
        mapped_ = true;
    }
    ::close(fd);
}

MappedFile::MappedFile(const std::string& name, const void* data, size_t size)
    : path_(name), size_(size), owned_(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size) {
    data_ = owned_.data();
}

void MappedFile::release_pages(const void* p, uint64_t bytes) const {
    if (!mapped_ || !p || bytes == 0) return;
    const auto begin = reinterpret_cast<uintptr_t>(data_), end = begin + size_;
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    uintptr_t from = std::max(reinterpret_cast<uintptr_t>(p), begin);
    uintptr_t to = std::min(reinterpret_cast<uintptr_t>(p) + bytes, end);
    from = (from + page - 1) / page * page;  // whole pages only: neighbours may still be in use
    to = to / page * page;
    if (to > from) ::madvise(reinterpret_cast<void*>(from), to - from, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (mapped_) ::munmap(const_cast<uint8_t*>(data_), size_);
}

}  // namespace sdn
