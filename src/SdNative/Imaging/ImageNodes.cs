namespace SdNative.Imaging;

/// <summary>ComfyUI's image and latent resize/blend nodes as pure functions.</summary>
public static class ImageNodes
{
    /// <summary>ImageScale: width or height 0 keeps the aspect ratio; both 0 returns the input.</summary>
    public static ImageBatch ImageScale(ImageBatch image, string method, int width, int height, string crop)
    {
        if (width == 0 && height == 0)
        {
            return image;
        }
        if (width == 0)
        {
            width = Math.Max(1, (int)Math.Round(image.Width * (double)height / image.Height));
        }
        else if (height == 0)
        {
            height = Math.Max(1, (int)Math.Round(image.Height * (double)width / image.Width));
        }
        return Resize(image, method, width, height, crop);
    }

    /// <summary>ImageScaleBy: round(W*s) x round(H*s), crop disabled.</summary>
    public static ImageBatch ImageScaleBy(ImageBatch image, string method, double scaleBy)
    {
        int width = (int)Math.Round(image.Width * scaleBy);
        int height = (int)Math.Round(image.Height * scaleBy);
        return Resize(image, method, width, height, "disabled");
    }

    private static ImageBatch Resize(ImageBatch image, string method, int width, int height, string crop)
    {
        var nchw = Upscale.ChannelsFirst(image.Pixels);
        return new ImageBatch(Upscale.ChannelsLast(Upscale.Common(nchw, width, height, method, crop)));
    }

    /// <summary>ImageInvert: 1 - v on every channel.</summary>
    public static ImageBatch ImageInvert(ImageBatch image)
    {
        var result = image.Clone();
        var d = result.Pixels.Data;
        for (long i = 0; i < d.LongLength; i++)
        {
            d[i] = 1f - d[i];
        }
        return result;
    }

    public static readonly IReadOnlyList<string> BlendModes = ["normal", "multiply", "screen", "overlay", "soft_light", "difference"];

    /// <summary>ImageBlend: clamp(a*(1-f) + mode(a, b)*f, 0, 1), with image2 fitted to image1 first.</summary>
    public static ImageBatch ImageBlend(ImageBatch image1, ImageBatch image2, float blendFactor, string blendMode)
    {
        Func<float, float, float> mode = blendMode switch
        {
            "normal" => (_, b) => b,
            "multiply" => (a, b) => a * b,
            "screen" => (a, b) => 1f - (1f - a) * (1f - b),
            "overlay" => (a, b) => a <= 0.5f ? 2f * a * b : 1f - 2f * (1f - a) * (1f - b),
            "soft_light" => (a, b) => b <= 0.5f ? a - (1f - 2f * b) * a * (1f - a) : a + (2f * b - 1f) * (SoftLightG(a) - a),
            "difference" => (a, b) => a - b,
            _ => throw new ArgumentException($"Unknown blend mode '{blendMode}' ({string.Join(", ", BlendModes)})."),
        };
        var b2 = AlignChannels(image2, image1.Channels);
        var a1 = image1.Channels < b2.Channels ? PadAlpha(image1, b2.Channels) : image1;
        if (b2.Height != a1.Height || b2.Width != a1.Width)
        {
            b2 = Resize(b2, "bicubic", a1.Width, a1.Height, "center");
        }
        if (b2.Batch != a1.Batch && b2.Batch != 1)
        {
            throw new ArgumentException($"Cannot blend {a1} with {b2}: batch sizes differ.");
        }
        var result = new ImageBatch(a1.Batch, a1.Height, a1.Width, a1.Channels);
        long perImage = (long)a1.Height * a1.Width * a1.Channels;
        var da = a1.Pixels.Data;
        var db = b2.Pixels.Data;
        var dr = result.Pixels.Data;
        for (long i = 0; i < dr.LongLength; i++)
        {
            float a = da[i];
            float b = db[b2.Batch == 1 ? i % perImage : i];
            dr[i] = Math.Clamp(a * (1f - blendFactor) + mode(a, b) * blendFactor, 0f, 1f);
        }
        return result;
    }

    private static float SoftLightG(float x) => x <= 0.25f ? ((16f * x - 12f) * x + 4f) * x : MathF.Sqrt(x);

    /// <summary>image_alpha_fix: extra channels of image2 are dropped.</summary>
    private static ImageBatch AlignChannels(ImageBatch image, int channels)
    {
        if (image.Channels <= channels)
        {
            return image;
        }
        var result = new ImageBatch(image.Batch, image.Height, image.Width, channels);
        long pixels = (long)image.Batch * image.Height * image.Width;
        for (long p = 0; p < pixels; p++)
        {
            for (int c = 0; c < channels; c++)
            {
                result.Pixels.Data[p * channels + c] = image.Pixels.Data[p * image.Channels + c];
            }
        }
        return result;
    }

    /// <summary>image_alpha_fix: image1 with fewer channels is padded with alpha 1.</summary>
    private static ImageBatch PadAlpha(ImageBatch image, int channels)
    {
        var result = new ImageBatch(image.Batch, image.Height, image.Width, channels);
        long pixels = (long)image.Batch * image.Height * image.Width;
        for (long p = 0; p < pixels; p++)
        {
            for (int c = 0; c < channels; c++)
            {
                result.Pixels.Data[p * channels + c] = c < image.Channels ? image.Pixels.Data[p * image.Channels + c] : 1f;
            }
        }
        return result;
    }

    /// <summary>LatentUpscale: sizes in pixels (clamped to at least 64, a missing one from the
    /// aspect ratio), then common_upscale to width//8 x height//8.</summary>
    public static Latent LatentUpscale(Latent latent, string method, int width, int height, string crop)
    {
        if (width == 0 && height == 0)
        {
            return latent;
        }
        if (width == 0)
        {
            height = Math.Max(64, height);
            width = Math.Max(64, (int)Math.Round(latent.Width * (double)height / latent.Height));
        }
        else if (height == 0)
        {
            width = Math.Max(64, width);
            height = Math.Max(64, (int)Math.Round(latent.Height * (double)width / latent.Width));
        }
        else
        {
            width = Math.Max(64, width);
            height = Math.Max(64, height);
        }
        return latent.WithSamples(Upscale.Common(latent.Samples, width / 8, height / 8, method, crop));
    }

    /// <summary>LatentUpscaleBy: round(w*s) x round(h*s) latent pixels, crop disabled.</summary>
    public static Latent LatentUpscaleBy(Latent latent, string method, double scaleBy)
    {
        int width = (int)Math.Round(latent.Width * scaleBy);
        int height = (int)Math.Round(latent.Height * scaleBy);
        return latent.WithSamples(Upscale.Common(latent.Samples, width, height, method, "disabled"));
    }
}
