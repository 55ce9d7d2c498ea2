#include "latent_preview.h"

#include <algorithm>
#include <cmath>

namespace sdn {

namespace {

// Rows: latent channels 0..3; columns: R, G, B.
constexpr float kSd15LatentRgb[4][3] = {
    {0.3512f, 0.2297f, 0.3227f},
    {0.3250f, 0.4974f, 0.2350f},
    {-0.2829f, 0.1762f, 0.2721f},
    {-0.2120f, -0.2616f, -0.7177f},
};

// ComfyUI's latent_formats.SDXL latent_rgb_factors and latent_rgb_factors_bias.
constexpr float kSdxlLatentRgb[4][3] = {
    {0.3651f, 0.4232f, 0.4341f},
    {-0.2533f, -0.0042f, 0.1068f},
    {0.1076f, 0.1111f, -0.0362f},
    {-0.3165f, -0.2492f, -0.2188f},
};
constexpr float kSdxlLatentRgbBias[3] = {0.1084f, -0.0175f, -0.0011f};
constexpr float kNoBias[3] = {0.0f, 0.0f, 0.0f};

}  // namespace

std::vector<uint8_t> latent_to_rgb_preview(const Tensor& latent, int64_t item, LatentFormat format) {
    const bool sdxl = format == LatentFormat::Sdxl;
    const float(&factors)[4][3] = sdxl ? kSdxlLatentRgb : kSd15LatentRgb;
    const float(&bias)[3] = sdxl ? kSdxlLatentRgbBias : kNoBias;
    const int64_t c = latent.dim(1), h = latent.dim(2), w = latent.dim(3);
    std::vector<uint8_t> rgb(static_cast<size_t>(h * w * 3));
    const float* base = latent.data() + item * c * h * w;
    const int64_t channels = std::min<int64_t>(c, 4);
    for (int64_t p = 0; p < h * w; ++p) {
        for (int ch = 0; ch < 3; ++ch) {
            float v = bias[ch];
            for (int64_t k = 0; k < channels; ++k) v += base[k * h * w + p] * factors[k][ch];
            const float unit = std::clamp((v + 1.0f) * 0.5f, 0.0f, 1.0f);
            rgb[static_cast<size_t>(p * 3 + ch)] = static_cast<uint8_t>(unit * 255.0f);
        }
    }
    return rgb;
}

}  // namespace sdn
