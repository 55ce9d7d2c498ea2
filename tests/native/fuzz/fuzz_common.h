// Shared body of the parser fuzz targets: open the input with one parser, then walk what it
// returned (every tensor's first and last byte, a dequantized first row of small tensors,
// every metadata value) so the sanitizers see any view that points outside the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/error.h"
#include "io/model_file_impl.h"
#include "quant/row_ops.h"

namespace sdn_fuzz {

inline size_t walk_meta(const sdn::MetaValue& v) {
    size_t n = v.s.size();
    for (const auto& e : v.array) n += walk_meta(e);
    return n;
}

inline void exercise(const sdn::ModelFile& file) {
    volatile uint8_t sink = 0;
    for (const auto& t : file.tensors()) {
        const auto* p = static_cast<const uint8_t*>(t.ref.data);
        if (t.ref.nbytes > 0) sink = sink + p[0] + p[t.ref.nbytes - 1];
        const int64_t row = t.ref.row_elems();
        if (row > 0 && row <= 4096 && t.ref.nbytes >= sdn::dtype_row_bytes(t.ref.type, row)) {
            std::vector<float> out(static_cast<size_t>(row));
            sdn::dequantize_row_reference(t.ref.type, p, out.data(), row);
        }
    }
    for (const auto& [k, v] : file.metadata()) sink = sink + static_cast<uint8_t>(walk_meta(v) + k.size());
}

template <typename Open>
int run_one(const uint8_t* data, size_t size, Open open) {
    try {
        auto map = std::make_shared<sdn::MappedFile>("fuzz-input", data, size);
        auto file = open(map);
        exercise(*file);
    } catch (const sdn::Error&) {
        // A status is the expected answer to a malformed file.
    }
    return 0;
}

}  // namespace sdn_fuzz
