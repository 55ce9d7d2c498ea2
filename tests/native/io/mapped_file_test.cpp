// MappedFile::release_pages: the pages leave the process's resident set (counted from
// /proc/self/statm) and the bytes read afterwards are the file's bytes, unchanged; an
// in-memory copy is never released (dropping anonymous pages would zero them).
#include "io/mapped_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace {

namespace fs = std::filesystem;

long resident_pages() {
    long size = 0, resident = 0;
    FILE* f = std::fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
    std::fclose(f);
    return resident;
}

std::vector<uint8_t> pattern(size_t n) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>((i * 131u) ^ (i >> 12));
    return v;
}

// Sums every byte, reading each page (so all of them become resident).
uint64_t touch(const uint8_t* p, size_t n) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; ++i) sum += p[i];
    return sum;
}

TEST(MappedFile, ReleasedPagesLeaveTheResidentSetAndReadBackUnchanged) {
    const size_t n = size_t(32) << 20;
    const auto bytes = pattern(n);
    const fs::path path = fs::temp_directory_path() / ("sdn-mapped-" + std::to_string(::getpid()) + ".bin");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
    {
        sdn::MappedFile map(path.string());
        ASSERT_EQ(map.size(), n);
        const uint64_t expected = touch(bytes.data(), n);
        EXPECT_EQ(touch(map.data(), n), expected);
        const long before = resident_pages();
        map.release_pages(map.data(), n);
        const long after = resident_pages();
        // 32 MiB is 8192 pages of 4 KiB; allow for the test's own small allocations.
        EXPECT_GT(before - after, 7000) << "before " << before << " after " << after;
        EXPECT_EQ(touch(map.data(), n), expected);
        EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), map.data()));
    }
    fs::remove(path);
}

TEST(MappedFile, PartialPagesAtTheEdgesStayMapped) {
    const size_t n = size_t(1) << 20;
    const auto bytes = pattern(n);
    const fs::path path = fs::temp_directory_path() / ("sdn-mapped-edge-" + std::to_string(::getpid()) + ".bin");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(n));
    {
        sdn::MappedFile map(path.string());
        touch(map.data(), n);
        // A range that starts and ends mid-page, and ranges outside the mapping, are safe.
        map.release_pages(map.data() + 100, n - 200);
        map.release_pages(map.data() + n, 4096);
        map.release_pages(nullptr, 4096);
        EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), map.data()));
    }
    fs::remove(path);
}

TEST(MappedFile, AnInMemoryCopyIsNeverReleased) {
    const auto bytes = pattern(size_t(4) << 20);
    sdn::MappedFile copy("in-memory", bytes.data(), bytes.size());
    copy.release_pages(copy.data(), copy.size());
    EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), copy.data()));
}

}  // namespace
