#include "model/weight_pages.h"

#include <algorithm>

#include "model/checkpoint.h"

namespace sdn {

WeightPages::WeightPages(std::shared_ptr<const Checkpoint> checkpoint, const std::set<std::string>& names) {
    std::vector<std::pair<const void*, uint64_t>> ranges;
    for (const std::string& name : names)
        if (const TensorEntry* e = checkpoint->file().find(name); e && e->ref.nbytes > 0)
            ranges.emplace_back(e->ref.data, static_cast<uint64_t>(e->ref.nbytes));
    // Neighbouring tensors merge into one range, so the pages they share are released too.
    std::sort(ranges.begin(), ranges.end());
    std::vector<std::pair<const void*, uint64_t>> merged;
    for (const auto& r : ranges) {
        const auto* start = static_cast<const uint8_t*>(r.first);
        if (!merged.empty()) {
            const auto* prev_end = static_cast<const uint8_t*>(merged.back().first) + merged.back().second;
            // Gaps up to one page (headers, alignment padding) belong to the same run.
            if (start >= prev_end && start - prev_end <= 4096) {
                merged.back().second = static_cast<uint64_t>(start + r.second - static_cast<const uint8_t*>(merged.back().first));
                continue;
            }
        }
        merged.push_back(r);
    }
    files_.push_back({std::move(checkpoint), std::move(merged)});
}

void WeightPages::append(const WeightPages& other) {
    files_.insert(files_.end(), other.files_.begin(), other.files_.end());
}

void WeightPages::release() const {
    for (const FileRanges& f : files_)
        for (const auto& r : f.ranges) f.checkpoint->file().release_pages(r.first, r.second);
}

uint64_t WeightPages::bytes() const {
    uint64_t total = 0;
    for (const FileRanges& f : files_)
        for (const auto& r : f.ranges) total += r.second;
    return total;
}

}  // namespace sdn
