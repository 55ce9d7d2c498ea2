#include "model/vae_model.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>

#include "core/backend.h"
#include "core/error.h"
#include "model/vae_tiling.h"

namespace sdn {

std::unique_ptr<Vae> Vae::load(const WeightLookup& lookup, const std::string& prefix) {
    vae::WeightBinder b(lookup, prefix);
    auto v = std::make_unique<Vae>();
    v->encoder_ = vae::Encoder::bind(b, "encoder.");
    v->decoder_ = vae::Decoder::bind(b, "decoder.");
    const int64_t moments = v->encoder_.out_channels();
    v->quant_conv_ = vae::Conv2d::bind(b, "quant_conv", moments, moments, 1);
    v->post_quant_conv_ = vae::Conv2d::bind(b, "post_quant_conv", -1, -1, 1);
    b.require_complete();
    v->resident_ = b.found();

    const int64_t z = v->post_quant_conv_.in;
    SDN_REQUIRE(v->post_quant_conv_.out == z && v->decoder_.in_channels() == z && moments == 2 * z,
                SDN_ERR_FORMAT,
                "VAE latent widths disagree: post_quant_conv " + std::to_string(z) + " -> " +
                    std::to_string(v->post_quant_conv_.out) + ", decoder.conv_in takes " +
                    std::to_string(v->decoder_.in_channels()) + ", encoder gives " +
                    std::to_string(moments) + " moments");
    SDN_REQUIRE(v->encoder_.downscale() == v->decoder_.upscale(), SDN_ERR_FORMAT,
                "VAE encoder and decoder have a different number of levels");
    return v;
}

// Images, latents and tiles are host data: each network call uploads its input, runs on
// the context's backend and downloads its output.
DeviceTensor Vae::to_backend(Context& ctx, const Tensor& host) const {
    Backend& be = ctx.backend();
    be.make_resident(resident_, residency_);
    DeviceTensor t = be.tensor(host.shape(), "VAE input");
    be.upload(t, host.data());
    return t;
}

Tensor Vae::encode_mean(Context& ctx, const Tensor& x, vae::ProgressTicker& progress) const {
    DeviceTensor moments =
        quant_conv_.forward(ctx, encoder_.forward(ctx, to_backend(ctx, x), progress), 1, 0);
    // The posterior mean is the first half of the moments (DiagonalGaussian mode()): with
    // one item, the first z channels are one contiguous run.
    const int64_t z = latent_channels();
    const int64_t plane = moments.dim(2) * moments.dim(3);
    Tensor mean({1, z, moments.dim(2), moments.dim(3)});
    ctx.backend().download(moments.view().reshaped({2, z * plane}).slice(0, 1), mean.data());
    return mean;
}

Tensor Vae::decode_raw(Context& ctx, const Tensor& z, vae::ProgressTicker& progress) const {
    DeviceTensor y =
        decoder_.forward(ctx, post_quant_conv_.forward(ctx, to_backend(ctx, z), 1, 0), progress);
    Tensor out(y.view().shape_vector());
    ctx.backend().download(y, out.data());
    return out;
}

namespace {

// ComfyUI's tiled nodes run three tilings and average them: the square tile, a tall-and-thin
// and a short-and-wide variant, so the seams of one tiling fall inside tiles of the others.
struct TilingShape {
    int64_t h, w;
};

// "1.5 MiB", "312 KiB", "96 bytes": budgets in tests are small, real ones large.
std::string describe_bytes(int64_t bytes) {
    char text[48];
    if (bytes >= (int64_t(1) << 20))
        std::snprintf(text, sizeof(text), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    else if (bytes >= 1024)
        std::snprintf(text, sizeof(text), "%.1f KiB", static_cast<double>(bytes) / 1024);
    else
        std::snprintf(text, sizeof(text), "%lld bytes", static_cast<long long>(bytes));
    return text;
}

int checked_total(int64_t calls, int blocks) {
    const int64_t total = calls * blocks;
    SDN_REQUIRE(total < (int64_t(1) << 30), SDN_ERR_INVALID_ARGUMENT,
                "VAE: too many tiles for this image");
    return static_cast<int>(total);
}

}  // namespace

Tensor Vae::encode(Context& ctx, const Tensor& image, const VaeTiling* tiling) const {
    const int64_t f = downscale();
    SDN_REQUIRE(image.n_dims() == 4 && image.dim(3) >= 3, SDN_ERR_INVALID_ARGUMENT,
                "VAE encode: expected an image [B, H, W, 3], got " + image.shape_string());
    const int64_t B = image.dim(0), H = image.dim(1), W = image.dim(2), C = image.dim(3);
    SDN_REQUIRE(H >= f && W >= f, SDN_ERR_INVALID_ARGUMENT,
                "VAE encode: image " + image.shape_string() + " is smaller than " +
                    std::to_string(f) + " pixels");
    // Crop to multiples of f, centred and rounded down; nothing is padded; alpha is dropped.
    const int64_t Hc = H / f * f, Wc = W / f * f;
    const int64_t y_off = (H % f) / 2, x_off = (W % f) / 2;
    const int64_t z = latent_channels();

    std::optional<VaeTiling> fitted;
    if (!tiling && (fitted = encode_budget_tiling(ctx, Hc, Wc))) tiling = &*fitted;

    // ComfyUI sums (t, t), then (h t/2, w 2t), then (h 2t, w t/2); overlap stays as given.
    std::vector<TilingShape> shapes;
    int64_t calls = 1;
    if (tiling) {
        const int64_t t = tiling->tile_size, o = tiling->overlap;
        SDN_REQUIRE(t >= 2 * f && t % (2 * f) == 0 && o >= 0 && o % f == 0,
                    SDN_ERR_INVALID_ARGUMENT,
                    "tiled VAE encode: tile_size must be a positive multiple of " +
                        std::to_string(2 * f) + " and overlap a non-negative multiple of " +
                        std::to_string(f));
        shapes = {{t, t}, {t / 2, t * 2}, {t * 2, t / 2}};
        calls = 0;
        for (const TilingShape& s : shapes) calls += vae::tile_call_count(Hc, Wc, s.h, s.w, o);
    }
    vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_ENCODE, checked_total(B * calls, encode_block_count()));
    progress.start();

    Tensor latent({B, z, Hc / f, Wc / f});
    const int64_t latent_item = z * (Hc / f) * (Wc / f);
    for (int64_t b = 0; b < B; ++b) {
        // NHWC 0..1 -> NCHW -1..1 (x*2-1; ComfyUI does it per tile, which is the same).
        Tensor x({1, 3, Hc, Wc});
        const float* src = image.data() + b * H * W * C;
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t r = 0; r < Hc; ++r)
                for (int64_t col = 0; col < Wc; ++col)
                    x.data()[(c * Hc + r) * Wc + col] =
                        src[((r + y_off) * W + col + x_off) * C + c] * 2.0f - 1.0f;

        float* dst = latent.data() + b * latent_item;
        if (!tiling) {
            Tensor mean = encode_mean(ctx, x, progress);
            std::memcpy(dst, mean.data(), sizeof(float) * static_cast<size_t>(latent_item));
            continue;
        }
        auto fn = [&](const Tensor& crop) { return encode_mean(ctx, crop, progress); };
        std::fill(dst, dst + latent_item, 0.0f);
        for (const TilingShape& s : shapes) {
            Tensor part = vae::tiled_apply(ctx, x, s.h, s.w, tiling->overlap, {1, f}, z, fn);
            for (int64_t i = 0; i < latent_item; ++i) dst[i] += part.data()[i];
        }
        for (int64_t i = 0; i < latent_item; ++i) dst[i] /= 3.0f;
    }
    return latent;
}

int64_t Vae::decode_bytes(int64_t h, int64_t w) const {
    const int64_t f = downscale(), z = latent_channels();
    // The uploaded latent and post_quant_conv's output live through the whole decoder; the
    // image comes back through a staging buffer of its size.
    const int64_t elements = 2 * z * h * w + decoder_.peak_elements(h, w) + 3 * f * f * h * w;
    // An eighth more for what the count leaves out: allocations rounded up to the device's
    // alignment and small op scratch.
    return elements * int64_t(sizeof(float)) * 9 / 8;
}

namespace {

// The tile a pass takes by itself when an untiled run of the h x w latent cells (bytes_of)
// would not fit the backend's memory budget: the largest even t whose biggest tile -- the
// tiled passes run (2t x t/2), (t/2 x 2t) and (t x t) tiles, each clamped to the latent --
// fits. nullopt when the whole fits or the backend reports no budget. When not even t = 2
// fits, the pass is refused here rather than left to an allocation that, on the CPU, the
// kernel's OOM killer would answer.
std::optional<int64_t> tile_for_budget(Context& ctx, const char* pass, const std::string& subject,
                                       int64_t h, int64_t w, int64_t f,
                                       const std::function<int64_t(int64_t, int64_t)>& bytes_of) {
    Backend& be = ctx.backend();
    const int64_t budget = be.memory_budget();
    const int64_t whole = bytes_of(h, w);
    if (budget < 0 || whole <= budget) return std::nullopt;
    auto tile_bytes = [&](int64_t t) {
        int64_t need = 0;
        for (const TilingShape& s : {TilingShape{2 * t, t / 2}, {t / 2, 2 * t}, {t, t}})
            need = std::max(need, bytes_of(std::min(s.h, h), std::min(s.w, w)));
        return need;
    };
    int64_t t = std::max<int64_t>(2, std::max(h, w) / 2 * 2);
    while (t > 2 && tile_bytes(t) > budget) t -= 2;
    SDN_REQUIRE(tile_bytes(t) <= budget, SDN_ERR_OUT_OF_MEMORY,
                std::string("VAE ") + pass + ": the memory budget of " + describe_bytes(budget) +
                    " on " + be.name() + " is too small: an untiled " + pass + " of " + subject +
                    " needs about " + describe_bytes(whole) + " and even the smallest tile (" +
                    std::to_string(t * f) + " pixels) needs about " + describe_bytes(tile_bytes(t)));
    ctx.log(SDN_LOG_INFO,
            "VAE %s: %s needs about %lld MiB, the memory budget is %lld MiB: running in "
            "%lld-pixel tiles",
            pass, subject.c_str(), static_cast<long long>(whole >> 20),
            static_cast<long long>(budget >> 20), static_cast<long long>(t * f));
    return t;
}

}  // namespace

std::optional<VaeTiling> Vae::budget_tiling(Context& ctx, int64_t h, int64_t w) const {
    ctx.backend().make_resident(resident_, residency_);
    const std::string subject = "the " + std::to_string(h) + "x" + std::to_string(w) + " latent";
    const std::optional<int64_t> t = tile_for_budget(ctx, "decode", subject, h, w, downscale(),
                                                     [&](int64_t a, int64_t b) { return decode_bytes(a, b); });
    if (!t) return std::nullopt;
    VaeTiling tiling;
    tiling.tile_size = *t * downscale();
    return tiling;
}

int64_t Vae::encode_bytes(int64_t H, int64_t W) const {
    const int64_t f = downscale(), z = latent_channels();
    // The uploaded image lives through the whole encoder; quant_conv's moments and the mean
    // that comes back are two latent-sized tensors of 2z channels at most.
    const int64_t elements = 3 * H * W + encoder_.peak_elements(H, W) + 2 * 2 * z * (H / f) * (W / f);
    // An eighth more, as for the decoder.
    return elements * int64_t(sizeof(float)) * 9 / 8;
}

std::optional<VaeTiling> Vae::encode_budget_tiling(Context& ctx, int64_t H, int64_t W) const {
    ctx.backend().make_resident(resident_, residency_);
    const int64_t f = downscale();
    const std::string subject = "the " + std::to_string(H) + "x" + std::to_string(W) + " image";
    const std::optional<int64_t> t = tile_for_budget(ctx, "encode", subject, H / f, W / f, f,
                                                     [&](int64_t a, int64_t b) { return encode_bytes(a * f, b * f); });
    if (!t) return std::nullopt;
    VaeTiling tiling;
    tiling.tile_size = *t * f;
    // VAEEncodeTiled's default overlap, kept under a quarter of the tile (as the tiled decode
    // shrinks it) and a multiple of f, as the tiled encode requires.
    tiling.overlap = std::min(tiling.overlap, tiling.tile_size / 4 / f * f);
    return tiling;
}

Tensor Vae::decode(Context& ctx, const Tensor& latent, const VaeTiling* tiling) const {
    const int64_t f = downscale();
    const int64_t z = latent_channels();
    SDN_REQUIRE(latent.n_dims() == 4 && latent.dim(1) == z, SDN_ERR_INVALID_ARGUMENT,
                "VAE decode: expected a latent [B, " + std::to_string(z) + ", h, w], got " +
                    latent.shape_string());
    const int64_t B = latent.dim(0), h = latent.dim(2), w = latent.dim(3);
    const int64_t Ho = h * f, Wo = w * f;
    std::optional<VaeTiling> fitted;
    if (!tiling && (fitted = budget_tiling(ctx, h, w))) tiling = &*fitted;

    // ComfyUI: overlap shrinks to tile/4 when larger; both go to latent units (floor); the
    // tilings summed are (h 2t, w t/2), (h t/2, w 2t), then (t, t).
    std::vector<TilingShape> shapes;
    int64_t overlap = 0;
    int64_t calls = 1;
    if (tiling) {
        int64_t tile_px = tiling->tile_size, overlap_px = tiling->overlap;
        SDN_REQUIRE(tile_px >= 2 * f && overlap_px >= 0, SDN_ERR_INVALID_ARGUMENT,
                    "tiled VAE decode: tile_size must be at least " + std::to_string(2 * f) +
                        " and overlap non-negative");
        if (tile_px < overlap_px * 4) overlap_px = tile_px / 4;
        const int64_t t = tile_px / f;
        overlap = overlap_px / f;
        shapes = {{t * 2, t / 2}, {t / 2, t * 2}, {t, t}};
        calls = 0;
        for (const TilingShape& s : shapes) calls += vae::tile_call_count(h, w, s.h, s.w, overlap);
    }
    vae::ProgressTicker progress(ctx, SDN_STAGE_VAE_DECODE, checked_total(B * calls, decode_block_count()));
    progress.start();

    Tensor image({B, Ho, Wo, 3});
    const int64_t plane = Ho * Wo;
    const int64_t latent_item = z * h * w;
    for (int64_t b = 0; b < B; ++b) {
        Tensor item({1, z, h, w});
        std::memcpy(item.data(), latent.data() + b * latent_item,
                    sizeof(float) * static_cast<size_t>(latent_item));
        Tensor y;
        if (!tiling) {
            y = decode_raw(ctx, item, progress);
        } else {
            auto fn = [&](const Tensor& crop) { return decode_raw(ctx, crop, progress); };
            y = Tensor({1, 3, Ho, Wo});
            for (const TilingShape& s : shapes) {
                Tensor part = vae::tiled_apply(ctx, item, s.h, s.w, overlap, {f, 1}, 3, fn);
                for (int64_t i = 0; i < y.size(); ++i) y.data()[i] += part.data()[i];
            }
            for (int64_t i = 0; i < y.size(); ++i) y.data()[i] /= 3.0f;
        }
        // clamp((y + 1) / 2, 0, 1) -- after averaging when tiled -- and NCHW -> NHWC.
        float* dst = image.data() + b * plane * 3;
        for (int64_t c = 0; c < 3; ++c)
            for (int64_t i = 0; i < plane; ++i)
                dst[i * 3 + c] = std::clamp((y.data()[c * plane + i] + 1.0f) / 2.0f, 0.0f, 1.0f);
    }
    return image;
}

}  // namespace sdn
