using Microsoft.AspNetCore.Http;
using SdNative.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server;

/// <summary>
/// /view's re-encodings, as ComfyUI makes them: <c>preview=FORMAT;QUALITY</c> gives webp or
/// jpeg (webp when the format is neither or the channel keeps alpha; quality 90 unless the last
/// part is a number); <c>channel=rgb</c> a PNG without alpha; <c>channel=a</c> a PNG that is
/// black with the file's alpha (opaque when it has none). Images are decoded under the image
/// loader's limits.
/// </summary>
public static class ImageConversion
{
    public static IResult Preview(string file, string preview, string channel)
    {
        var parts = preview.Split(';');
        string format = parts[0] is "webp" or "jpeg" && !channel.Contains('a') ? parts[0] : "webp";
        int quality = parts[^1].Length > 0 && parts[^1].All(char.IsAsciiDigit) && int.TryParse(parts[^1], out int q) ? Math.Clamp(q, 1, 100) : 90;
        IImageEncoder encoder = format == "jpeg"
            ? new JpegEncoder { Quality = quality }
            : new WebpEncoder { Quality = quality, FileFormat = WebpFileFormatType.Lossy };
        bool dropAlpha = format == "jpeg" || channel == "rgb";
        return Encode(file, encoder, $"image/{format}", image => dropAlpha ? image.CloneAs<Rgb24>() : image.Clone());
    }

    public static IResult Channel(string file, string channel) => channel == "rgb"
        ? Encode(file, new PngEncoder { ColorType = PngColorType.Rgb }, "image/png", image => image.CloneAs<Rgb24>())
        : Encode(file, new PngEncoder { ColorType = PngColorType.RgbWithAlpha }, "image/png", AlphaOnly);

    private static IResult Encode(string file, IImageEncoder encoder, string contentType, Func<Image<Rgba32>, Image> convert)
    {
        try
        {
            using var image = ImageLoader.Decode(file, ImageLimits.Default, out _);
            using var converted = convert(image);
            var buffer = new MemoryStream();
            converted.Save(buffer, encoder);
            return Results.Bytes(buffer.ToArray(), contentType);
        }
        catch (ImageFileException e)
        {
            return ApiErrors.Json(StatusCodes.Status400BadRequest, "invalid_image", $"The file can't be converted: {Uploads.Reason(e)}");
        }
    }

    private static Image<Rgba32> AlphaOnly(Image<Rgba32> image)
    {
        var result = new Image<Rgba32>(image.Width, image.Height);
        for (int y = 0; y < image.Height; y++)
        {
            for (int x = 0; x < image.Width; x++)
            {
                result[x, y] = new Rgba32(0, 0, 0, image[x, y].A);
            }
        }
        return result;
    }
}
