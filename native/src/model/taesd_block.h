// The pieces TAESD's encoder and decoder share: the residual block and the bias-free
// convolutions around it. All convolutions are 3x3 with padding 1 (the 1x1 skip excepted).
#pragma once

#include <cstdint>
#include <string>

#include "model/vae_blocks.h"

namespace sdn::taesd {

// conv-ReLU-conv-ReLU-conv plus the input (through a bias-free 1x1 "skip" conv when the file
// has one), then ReLU. Weights "<name>.conv.{0,2,4}.{weight,bias}", "<name>.skip.weight".
struct Block {
    vae::Conv2d conv[3];
    bool has_skip = false;
    WeightRef skip;

    static Block bind(vae::WeightBinder& b, const std::string& name, int64_t width);
    DeviceTensor forward(Context& ctx, const DeviceTensor& x) const;
};

// A bias-free convolution of x [B, C, H, W] with w [O, C, k, k] (k = 1 or 3, padding k/2).
DeviceTensor conv_without_bias(Context& ctx, const DeviceTensor& x, const WeightRef& w, int stride);

}  // namespace sdn::taesd
