using SdNative.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace SdNative.Server;

/// <summary>
/// The binary WebSocket frame ComfyUI sends for a sampler preview: big-endian uint32 event 1
/// (PREVIEW_IMAGE), uint32 format 1 (JPEG), then a quality-95 JPEG scaled (bilinear, up or down)
/// to fit <see cref="MaxSize"/> as ComfyUI's --preview-size does.
/// </summary>
public static class LatentPreviewFrame
{
    public const int PreviewImageEvent = 1;
    public const int JpegFormat = 1;
    public const int MaxSize = 512;

    public static byte[] Encode(ImageBatch preview)
    {
        using var image = new Image<Rgb24>(preview.Width, preview.Height);
        var data = preview.Pixels.Data;
        for (int y = 0; y < preview.Height; y++)
        {
            for (int x = 0; x < preview.Width; x++)
            {
                image[x, y] = new Rgb24(Byte(data[preview.Index(0, y, x, 0)]), Byte(data[preview.Index(0, y, x, 1)]), Byte(data[preview.Index(0, y, x, 2)]));
            }
        }
        double scale = Math.Min((double)MaxSize / preview.Width, (double)MaxSize / preview.Height);
        var size = new Size(Math.Max(1, (int)Math.Round(preview.Width * scale)), Math.Max(1, (int)Math.Round(preview.Height * scale)));
        image.Mutate(i => i.Resize(size, KnownResamplers.Triangle, compand: false));
        using var stream = new MemoryStream();
        stream.Write([0, 0, 0, PreviewImageEvent, 0, 0, 0, JpegFormat]);
        image.SaveAsJpeg(stream, new JpegEncoder { Quality = 95 });
        return stream.ToArray();
    }

    private static byte Byte(float unit) => (byte)Math.Clamp(MathF.Round(unit * 255f), 0f, 255f);
}
