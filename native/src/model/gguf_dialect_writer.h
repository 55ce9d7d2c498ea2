// Test files in the two other GGUF layouts people bring, written from our tiny test tensors
// (full LDM names: model.diffusion_model.*, cond_stage_model.*, first_stage_model.*):
//  - stable-diffusion.cpp's converter (`sd -M convert`): the whole checkpoint under the same
//    names, no metadata. A weight takes the requested type when its rows (ggml's ne[0], our
//    last dimension) split into whole blocks and it is neither a bias, an embedding nor the
//    UNet's time or label embedding; the rest keeps its source type (taken to be f16 weights
//    for a quantized type, else the type itself; 1-D tensors f32).
//  - ComfyUI-GGUF's UNet files: the UNet alone without "model.diffusion_model.", metadata
//    general.architecture ("sd1"), general.quantization_version 2 and general.file_type, and
//    its shape fix (see io/gguf_original_shape.h): a weight of >= 512 values, a multiple of
//    256, whose last dimension is not, stored as [n/256, 256] with its shape recorded. 1-D
//    tensors stay f32; what the type cannot split into blocks falls back to f16.
#pragma once

#include <string>
#include <vector>

#include "model/test_model_writer.h"

namespace sdn {

void write_sdcpp_gguf(const std::string& path, const std::vector<TestTensor>& tensors, DType type);
void write_comfy_gguf_unet(const std::string& path, const std::vector<TestTensor>& tensors, DType type);

}  // namespace sdn
