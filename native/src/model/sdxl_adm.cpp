#include "model/sdxl_adm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace sdn {

void adm_size_embedding(double value, float* out) {
    const int64_t half = kAdmEmbedWidth / 2;
    // torch: exp(float(-ln(10000)) * arange(half) / half) in float32, then t * freqs.
    const float neg_log = static_cast<float>(-std::log(10000.0));
    const float t = static_cast<float>(value);
    for (int64_t i = 0; i < half; ++i) {
        const float freq = std::exp(neg_log * static_cast<float>(i) / static_cast<float>(half));
        const float arg = t * freq;
        out[i] = std::cos(arg);
        out[half + i] = std::sin(arg);
    }
}

void sdxl_adm_vector(const AdmInput& in, int64_t adm_channels, bool refiner, float* y) {
    const int64_t sizes = refiner ? 5 : 6;
    const int64_t pooled_width = adm_channels - sizes * kAdmEmbedWidth;
    SDN_REQUIRE(pooled_width > 0, SDN_ERR_FORMAT,
                "label_emb input width " + std::to_string(adm_channels) +
                    " leaves no room for the pooled text output");
    std::fill(y, y + adm_channels, 0.0f);
    if (in.pooled) {
        SDN_REQUIRE(in.pooled->size() == pooled_width, SDN_ERR_INVALID_ARGUMENT,
                    "SDXL conditioning has a pooled output of " + std::to_string(in.pooled->size()) +
                        " values where the model takes " + std::to_string(pooled_width));
        std::memcpy(y, in.pooled->data(), static_cast<size_t>(pooled_width) * sizeof(float));
    }
    float* e = y + pooled_width;
    const double base[] = {in.height, in.width, in.crop_h, in.crop_w, in.target_height, in.target_width};
    const double refine[] = {in.height, in.width, in.crop_h, in.crop_w, in.aesthetic_score};
    const double* values = refiner ? refine : base;
    for (int64_t k = 0; k < sizes; ++k) adm_size_embedding(values[k], e + k * kAdmEmbedWidth);
}

}  // namespace sdn
