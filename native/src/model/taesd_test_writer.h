// Random-weight TAESD networks for tests: the released taesd_decoder / taesd_encoder layouts
// and tensor names (see taesd_decoder.h, taesd_encoder.h) at any width, deterministic in the
// seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/test_model_writer.h"

namespace sdn {

// Tensors named prefix + "1.weight" ... prefix + "19.bias"; convolutions scaled by
// 1/sqrt(fan_in) so activations stay O(1) through the 31 layers.
std::vector<TestTensor> make_test_taesd_tensors(int64_t width, int64_t latent_channels,
                                                uint64_t seed, const std::string& prefix = "");
// Tensors named prefix + "0.weight" ... prefix + "14.bias".
std::vector<TestTensor> make_test_taesd_encoder_tensors(int64_t width, int64_t latent_channels,
                                                        uint64_t seed, const std::string& prefix = "");

}  // namespace sdn
