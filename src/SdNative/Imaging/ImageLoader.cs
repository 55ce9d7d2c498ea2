using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SdNative.Imaging;

/// <summary>
/// LoadImage and LoadImageMask as ComfyUI computes them: EXIF orientation applied, RGB in 0..1
/// (v/255 in float32), MASK = 1 - alpha/255 when the image has alpha, else a 64x64 zero mask;
/// every frame of an animated file becomes a batch item.
/// </summary>
public static class ImageLoader
{
    public static readonly IReadOnlyList<string> MaskChannels = ["alpha", "red", "green", "blue"];

    /// <summary>LoadImage: IMAGE [frames, H, W, 3] and MASK [frames, H, W] (or [frames, 64, 64] without alpha).</summary>
    public static (ImageBatch Image, MaskBatch Mask) LoadImage(string path, ImageLimits? limits = null)
    {
        using var image = Decode(path, limits ?? ImageLimits.Default, out bool hasAlpha);
        int frames = image.Frames.Count, h = image.Height, w = image.Width;
        var pixels = new ImageBatch(frames, h, w, 3);
        var mask = hasAlpha ? new MaskBatch(frames, h, w) : new MaskBatch(frames, 64, 64);
        var rgb = pixels.Pixels.Data;
        var m = mask.Values.Data;
        for (int f = 0; f < frames; f++)
        {
            var frame = Pixels(image.Frames[f]);
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    long i = ((long)f * h + y) * w + x;
                    var p = frame[y * w + x];
                    rgb[i * 3] = p.R / 255f;
                    rgb[i * 3 + 1] = p.G / 255f;
                    rgb[i * 3 + 2] = p.B / 255f;
                    if (hasAlpha)
                    {
                        m[i] = 1f - p.A / 255f;
                    }
                }
            }
        }
        return (pixels, mask);
    }

    /// <summary>LoadImageMask: one channel of the first frame as MASK [1, H, W]; alpha is
    /// inverted (1 - a), red/green/blue are not; an image without alpha gives zeros for "alpha".</summary>
    public static MaskBatch LoadImageMask(string path, string channel, ImageLimits? limits = null)
    {
        int c = channel switch
        {
            "red" => 0,
            "green" => 1,
            "blue" => 2,
            "alpha" => 3,
            _ => throw new ArgumentException($"Unknown channel '{channel}' ({string.Join(", ", MaskChannels)})."),
        };
        using var image = Decode(path, limits ?? ImageLimits.Default, out bool hasAlpha);
        int h = image.Height, w = image.Width;
        var mask = new MaskBatch(1, h, w);
        var frame = Pixels(image.Frames.RootFrame);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                var p = frame[y * w + x];
                mask.Values.Data[(long)y * w + x] = c switch
                {
                    0 => p.R / 255f,
                    1 => p.G / 255f,
                    2 => p.B / 255f,
                    _ => hasAlpha ? 1f - p.A / 255f : 0f,
                };
            }
        }
        return mask;
    }

    /// <summary>Reads the header, checks the limits, decodes as RGBA and applies EXIF orientation.</summary>
    public static Image<Rgba32> Decode(string path, ImageLimits limits, out bool hasAlpha)
    {
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new ImageFileException(path, "file not found");
        }
        if (file.Length > limits.MaxFileBytes)
        {
            throw new ImageFileException(path, $"the file is {file.Length} bytes, over the limit of {limits.MaxFileBytes} bytes");
        }
        var config = Configuration(limits);
        byte[] bytes = File.ReadAllBytes(path);
        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(config, bytes, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageFileException(path, $"not a readable image ({e.Message})", e);
        }
        if (info is null || format is null)
        {
            throw new ImageFileException(path, "not an image in a known format (PNG, JPEG, WebP, GIF, BMP, TIFF, TGA, PBM)");
        }
        CheckSize(path, info.Width, info.Height, limits);
        Image decoded;
        try
        {
            decoded = Image.Load(config, bytes);
        }
        catch (InvalidMemoryOperationException e)
        {
            throw new ImageFileException(path, $"decoding needs more memory than the limit of {limits.MaxDecodeMegabytes} MiB", e);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new ImageFileException(path, $"the image data is corrupt ({e.Message})", e);
        }
        using (decoded)
        {
            if (decoded.Frames.Count > limits.MaxFrames)
            {
                throw new ImageFileException(path, $"{decoded.Frames.Count} frames, over the limit of {limits.MaxFrames}");
            }
            hasAlpha = HasAlpha(decoded, format);
            var rgba = decoded.CloneAs<Rgba32>();
            try
            {
                rgba.Mutate(x => x.AutoOrient());
                CheckSize(path, rgba.Width, rgba.Height, limits);
                return rgba;
            }
            catch
            {
                rgba.Dispose();
                throw;
            }
        }
    }

    private static void CheckSize(string path, int width, int height, ImageLimits limits)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageFileException(path, $"the image declares an empty size {width}x{height}");
        }
        if (width > limits.MaxWidth || height > limits.MaxHeight)
        {
            throw new ImageFileException(path, $"{width}x{height} pixels is over the limit of {limits.MaxWidth}x{limits.MaxHeight}");
        }
        if ((long)width * height > limits.MaxPixels)
        {
            throw new ImageFileException(path, $"{width}x{height} = {(long)width * height} pixels is over the limit of {limits.MaxPixels} pixels");
        }
    }

    /// <summary>Whether the decoded pixel format carries alpha (PIL's "has an A band", including
    /// palette images with a transparent entry, which ImageSharp decodes to RGBA).</summary>
    private static bool HasAlpha(Image image, IImageFormat format) => image switch
    {
        Image<Rgba32> or Image<Bgra32> or Image<Argb32> or Image<Abgr32> or Image<Rgba64> or Image<La16> or Image<La32>
            or Image<Bgra4444> or Image<Bgra5551> or Image<RgbaVector> or Image<NormalizedByte4> or Image<NormalizedShort4> => HasTransparencyInfo(image, format),
        _ => false,
    };

    // GIF frames always decode to RGBA in ImageSharp; PIL gives them an alpha band only through a
    // transparency entry, so a GIF counts as having alpha when some pixel is transparent.
    // PNG with alpha or tRNS, WebP with alpha, TGA/BMP 32-bit keep their A band.
    private static bool HasTransparencyInfo(Image image, IImageFormat format)
    {
        if (format is not GifFormat || image is not Image<Rgba32> rgba)
        {
            return true;
        }
        foreach (ImageFrame<Rgba32> frame in rgba.Frames)
        {
            foreach (var p in Pixels(frame))
            {
                if (p.A != 255)
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static Rgba32[] Pixels(ImageFrame<Rgba32> frame)
    {
        var pixels = new Rgba32[frame.Width * frame.Height];
        frame.CopyPixelDataTo(pixels);
        return pixels;
    }

    private static Configuration Configuration(ImageLimits limits)
    {
        var config = SixLabors.ImageSharp.Configuration.Default.Clone();
        config.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = limits.MaxDecodeMegabytes });
        // Stop a GIF with a huge frame count early instead of decoding every frame.
        config.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { MaxFrames = (uint)Math.Max(1, limits.MaxFrames + 1) });
        return config;
    }
}
