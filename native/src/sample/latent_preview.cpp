#include "latent_preview.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

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

std::vector<uint8_t> image_to_rgb_bytes(const Tensor& image, int64_t item) {
    const int64_t n = image.dim(1) * image.dim(2) * 3;
    std::vector<uint8_t> rgb(static_cast<size_t>(n));
    const float* src = image.data() + item * n;
    for (int64_t i = 0; i < n; ++i)
        rgb[static_cast<size_t>(i)] = static_cast<uint8_t>(std::clamp(src[i], 0.0f, 1.0f) * 255.0f);
    return rgb;
}

Tensor preview_decoder_input(const Tensor& denoised) {
    const int64_t c = denoised.dim(1), h = denoised.dim(2), w = denoised.dim(3);
    const int64_t k = (std::max(h, w) + kPreviewLatentSide - 1) / kPreviewLatentSide;
    const int64_t ho = std::max<int64_t>(h / k, 1), wo = std::max<int64_t>(w / k, 1);
    Tensor small({1, c, ho, wo});
    for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t y = 0; y < ho; ++y)
            for (int64_t x = 0; x < wo; ++x) {
                // The mean of the k x k latent pixels under this one (rows and columns past the
                // last whole block are dropped; none when k is 1).
                double sum = 0;
                int64_t n = 0;
                for (int64_t dy = 0; dy < k && y * k + dy < h; ++dy)
                    for (int64_t dx = 0; dx < k && x * k + dx < w; ++dx, ++n)
                        sum += denoised.data()[(ch * h + y * k + dy) * w + x * k + dx];
                small.data()[(ch * ho + y) * wo + x] = static_cast<float>(sum / static_cast<double>(n));
            }
    return small;
}

PreviewImage make_preview(Context& ctx, const Tensor& denoised, LatentFormat format) {
    PreviewImage p;
    if (const PreviewDecoder* decoder = ctx.preview_decoder()) {
        const Tensor first = preview_decoder_input(denoised);
        // A decoder that cannot take this latent costs the preview, not the sampling: the
        // projection stands in. A cancel is still a cancel.
        try {
            const Tensor image = decoder->decode_preview(ctx, first);
            p.height = static_cast<int>(image.dim(1));
            p.width = static_cast<int>(image.dim(2));
            p.rgb = image_to_rgb_bytes(image, 0);
            return p;
        } catch (const Error& e) {
            if (e.status() == SDN_ERR_CANCELLED) throw;
            ctx.log(SDN_LOG_WARN, "preview decoder failed, showing the latent->RGB projection: %s", e.what());
        }
    }
    p.height = static_cast<int>(denoised.dim(2));
    p.width = static_cast<int>(denoised.dim(3));
    p.rgb = latent_to_rgb_preview(denoised, 0, format);
    return p;
}

}  // namespace sdn
