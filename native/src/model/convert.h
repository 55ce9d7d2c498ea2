// Checkpoint conversion: any supported checkpoint -> GGUF with the LDM tensor names kept.
// Conv and linear weights take the requested type; norms, biases and other 1-D tensors stay
// f32; embeddings and weights whose rows do not fill whole quant blocks become f16 (for UNet
// convs: see ConvLayout). Tensors on
// the ignore list (schedule buffers, EMA, position ids) are dropped. Tensors that are already
// quantized (a GGUF source) are copied block for block.
#pragma once

#include <string>

#include "core/context.h"
#include "quant/dtype.h"

namespace sdn {

// How a quantized conversion stores UNet conv weights whose kernel rows (kw = 3 or 1) are not
// whole blocks. F16 (the default): kept f16, as stable-diffusion.cpp's converter writes them.
// Flattened: quantized anyway when their rows of C*kh*kw are whole blocks, stored as
// [O, C*kh*kw] with the 4-D shape under comfy.gguf.orig_shape.<name> (ComfyUI-GGUF's key), so
// conv2d keeps the blocks and, on AVX512-VNNI CPUs, the integer products: faster, but the
// convs' activations are then quantized too, which costs accuracy (docs/performance.md).
enum class ConvLayout { F16, Flattened };

// "flattened" or "f16"; throws Error(SDN_ERR_INVALID_ARGUMENT) naming both otherwise.
ConvLayout conv_layout_from_name(const std::string& name);

void convert_checkpoint(Context& ctx, const std::string& in_path, const std::string& out_path,
                        DType weight_type, const std::string& tokenizer_path,
                        ConvLayout conv_layout = ConvLayout::F16);

// Expands n stored values (f32, f16 or bf16) to float32.
void decode_plain_weight(const WeightRef& w, float* out);

}  // namespace sdn
