using SdNative.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server;

/// <summary>
/// /upload/mask's image, as ComfyUI makes it: the original image (named by original_ref) as
/// RGBA with its alpha replaced by the uploaded mask image's alpha, saved as PNG with the
/// original's PNG text chunks (the embedded prompt and workflow) kept.
/// </summary>
public static class MaskMerge
{
    public static byte[] Merge(string originalPath, string maskPath, ImageLimits limits)
    {
        try
        {
            using var original = ImageLoader.Decode(originalPath, limits, out _);
            using var mask = ImageLoader.Decode(maskPath, limits, out _);
            if (mask.Width != original.Width || mask.Height != original.Height)
            {
                throw RequestRefusedException.BadRequest("invalid_mask",
                    $"The mask is {mask.Width}x{mask.Height} but the original image is {original.Width}x{original.Height}");
            }
            for (int y = 0; y < original.Height; y++)
            {
                for (int x = 0; x < original.Width; x++)
                {
                    var p = original[x, y];
                    original[x, y] = new Rgba32(p.R, p.G, p.B, mask[x, y].A);
                }
            }
            var text = TextChunks(originalPath);
            var png = original.Metadata.GetPngMetadata();
            png.TextData.Clear();
            foreach (var chunk in text)
            {
                png.TextData.Add(chunk);
            }
            var buffer = new MemoryStream();
            original.Save(buffer, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
            return buffer.ToArray();
        }
        catch (ImageFileException e)
        {
            throw RequestRefusedException.BadRequest("invalid_image", $"The mask or the original image can't be read: {Uploads.Reason(e)}");
        }
    }

    private static IReadOnlyList<PngTextData> TextChunks(string path)
    {
        var info = Image.Identify(File.ReadAllBytes(path), out var format);
        return format is PngFormat && info?.Metadata.GetPngMetadata() is { } png ? png.TextData.ToList() : [];
    }
}
