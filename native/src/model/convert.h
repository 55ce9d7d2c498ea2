// Checkpoint conversion: any supported checkpoint -> GGUF with the LDM tensor names kept.
// Conv and linear weights take the requested type; norms, biases and other 1-D tensors stay
// f32; embeddings and weights whose rows do not fill whole quant blocks become f16. Tensors on
// the ignore list (schedule buffers, EMA, position ids) are dropped. Tensors that are already
// quantized (a GGUF source) are copied block for block.
#pragma once

#include <string>

#include "core/context.h"
#include "quant/dtype.h"

namespace sdn {

void convert_checkpoint(Context& ctx, const std::string& in_path, const std::string& out_path,
                        DType weight_type, const std::string& tokenizer_path);

// Expands n stored values (f32, f16 or bf16) to float32.
void decode_plain_weight(const WeightRef& w, float* out);

}  // namespace sdn
