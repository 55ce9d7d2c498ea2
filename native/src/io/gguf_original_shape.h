// ComfyUI-GGUF's shape fix. Its converter stores an SD1.x/SDXL weight of at least 512 values
// whose last dimension is not a multiple of 256 (a 3x3 convolution, a 320-wide linear layer)
// flattened to [n/256, 256], so every GGUF quantizer can split it into whole blocks, and
// records the shape it had under the metadata key "comfy.gguf.orig_shape.<tensor name>"
// (an array of INT32, outermost dimension first). Reading such a file means giving the
// tensor its shape back.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "io/model_file.h"

namespace sdn {

// The key ComfyUI-GGUF records a tensor's original shape under.
std::string gguf_original_shape_key(const std::string& tensor_name);

// Gives entry the shape metadata records for it, if any. Plain types and quantized rows that
// stay whole blocks keep their bytes (the element order is the same), and so does a
// quantized tensor of 3 or 4 dimensions whose rows along everything after the outermost
// dimension are whole blocks (a conv weight: WeightRef::row_length says so); any other
// quantized tensor whose original rows do not split into whole blocks is expanded to f16 into a buffer
// appended to `converted`, which must outlive the entry. Throws Error(SDN_ERR_FORMAT) naming
// the tensor for a shape that is not an integer array of 1..4 positive dimensions holding
// the tensor's element count.
void apply_gguf_original_shape(const std::map<std::string, MetaValue>& metadata, TensorEntry& entry,
                               std::vector<std::vector<uint16_t>>& converted);

}  // namespace sdn
