using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Tui.Engine;

/// <summary>An 8-bit RGB picture, the one shape every view draws: previews from the local
/// sampler, JPEG frames from a server and saved PNGs all become one.</summary>
public sealed class RgbImage
{
    public RgbImage(int width, int height, byte[] rgb)
    {
        if (width <= 0 || height <= 0 || rgb.Length != width * height * 3)
        {
            throw new ArgumentException($"an RGB image of {width}×{height} needs {width * height * 3} bytes, not {rgb.Length}");
        }
        Width = width;
        Height = height;
        Rgb = rgb;
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>Row-major R, G, B bytes.</summary>
    public byte[] Rgb { get; }

    public (byte R, byte G, byte B) this[int x, int y]
    {
        get
        {
            int i = (y * Width + x) * 3;
            return (Rgb[i], Rgb[i + 1], Rgb[i + 2]);
        }
    }

    /// <summary>The first image of a batch; values 0..1 become bytes by rounding, as ComfyUI's previews do.</summary>
    public static RgbImage FromBatch(ImageBatch batch)
    {
        var rgb = new byte[batch.Width * batch.Height * 3];
        var data = batch.Pixels.Data;
        for (int y = 0; y < batch.Height; y++)
        {
            for (int x = 0; x < batch.Width; x++)
            {
                for (int c = 0; c < 3; c++)
                {
                    float v = data[batch.Index(0, y, x, Math.Min(c, batch.Channels - 1))];
                    rgb[(y * batch.Width + x) * 3 + c] = (byte)Math.Clamp(MathF.Round(v * 255f), 0f, 255f);
                }
            }
        }
        return new RgbImage(batch.Width, batch.Height, rgb);
    }

    /// <summary>Decodes PNG/JPEG bytes (a saved file, a server's preview frame).</summary>
    public static RgbImage Decode(ReadOnlySpan<byte> encoded)
    {
        using var image = Image.Load<Rgb24>(encoded);
        var rgb = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(rgb);
        return new RgbImage(image.Width, image.Height, rgb);
    }

    public static RgbImage Load(string path) => Decode(File.ReadAllBytes(path));
}
