using System.Text;
using SdNative.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Tests.Imaging;

public sealed class ImageFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sdn-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteRgba(string name, int w, int h, Func<int, int, Rgba32> pixel)
    {
        using var image = new Image<Rgba32>(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                image[x, y] = pixel(x, y);
        var path = Path.Combine(_dir, name);
        image.Save(path);
        return path;
    }

    [Fact]
    public void LoadImageGivesRgbOver255AndMaskOneMinusAlpha()
    {
        var path = WriteRgba("a.png", 2, 1, (x, _) => x == 0 ? new Rgba32(255, 0, 51, 0) : new Rgba32(1, 2, 3, 255));
        var (image, mask) = ImageLoader.LoadImage(path);
        Assert.Equal([1, 1, 2, 3], image.Pixels.Shape);
        Assert.Equal([1f, 0f, 51 / 255f, 1 / 255f, 2 / 255f, 3 / 255f], image.Pixels.Data);
        Assert.Equal([1, 1, 2], mask.Values.Shape);
        Assert.Equal([1f, 0f], mask.Values.Data);
    }

    [Fact]
    public void AnImageWithoutAlphaGetsA64By64ZeroMask()
    {
        using (var rgb = new Image<Rgb24>(3, 2))
        {
            rgb.Save(Path.Combine(_dir, "rgb.png"));
        }
        var (image, mask) = ImageLoader.LoadImage(Path.Combine(_dir, "rgb.png"));
        Assert.Equal([1, 2, 3, 3], image.Pixels.Shape);
        Assert.Equal([1, 64, 64], mask.Values.Shape);
        Assert.All(mask.Values.Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void ExifOrientationIsApplied()
    {
        // 16x8, left half red, right half blue, EXIF orientation 6 (rotate 90 degrees clockwise):
        // the result is 8 wide and 16 tall with the red half on top.
        using (var image = new Image<Rgb24>(16, 8))
        {
            for (int y = 0; y < 8; y++)
                for (int x = 0; x < 16; x++)
                    image[x, y] = x < 8 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
            image.Metadata.ExifProfile = new ExifProfile();
            image.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
            image.SaveAsJpeg(Path.Combine(_dir, "o.jpg"), new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = 100 });
        }
        var (loaded, _) = ImageLoader.LoadImage(Path.Combine(_dir, "o.jpg"));
        Assert.Equal([1, 16, 8, 3], loaded.Pixels.Shape);
        Assert.True(loaded.Pixels.Data[loaded.Index(0, 3, 4, 0)] > 0.8f, "top should be red");
        Assert.True(loaded.Pixels.Data[loaded.Index(0, 12, 4, 2)] > 0.8f, "bottom should be blue");
    }

    [Fact]
    public void EveryGifFrameBecomesABatchItem()
    {
        using (var gif = new Image<Rgba32>(2, 2, new Rgba32(255, 0, 0, 255)))
        {
            var second = new Image<Rgba32>(2, 2, new Rgba32(0, 0, 255, 255));
            gif.Frames.AddFrame(second.Frames.RootFrame);
            second.Dispose();
            gif.SaveAsGif(Path.Combine(_dir, "two.gif"));
        }
        var (image, mask) = ImageLoader.LoadImage(Path.Combine(_dir, "two.gif"));
        Assert.Equal(2, image.Batch);
        Assert.Equal(1f, image.Pixels.Data[image.Index(0, 0, 0, 0)]);
        Assert.Equal(1f, image.Pixels.Data[image.Index(1, 0, 0, 2)]);
        // No transparent pixel: PIL gives these frames no alpha band.
        Assert.Equal([2, 64, 64], mask.Values.Shape);
    }

    [Fact]
    public void LimitsAreCheckedFromTheHeaderAndNamed()
    {
        var path = WriteRgba("wide.png", 100, 10, (_, _) => new Rgba32(0, 0, 0, 255));
        var e = Assert.Throws<ImageFileException>(() => ImageLoader.LoadImage(path, new ImageLimits(MaxWidth: 50)));
        Assert.Contains("wide.png", e.Message);
        Assert.Contains("50", e.Message);
        var pixels = Assert.Throws<ImageFileException>(() => ImageLoader.LoadImage(path, new ImageLimits(MaxPixels: 999)));
        Assert.Contains("999 pixels", pixels.Message);
        var bytes = Assert.Throws<ImageFileException>(() => ImageLoader.LoadImage(path, new ImageLimits(MaxFileBytes: 10)));
        Assert.Contains("10 bytes", bytes.Message);
    }

    [Fact]
    public void AHeaderDeclaringAHugeImageIsRefusedBeforeDecoding()
    {
        // A crafted PNG: an IHDR declaring 100000 x 100000 pixels and no image data at all.
        var path = Path.Combine(_dir, "bomb.png");
        File.WriteAllBytes(path, CraftedPng(100000, 100000));
        var e = Assert.Throws<ImageFileException>(() => ImageLoader.LoadImage(path));
        Assert.Contains("bomb.png", e.Message);
        Assert.Contains("100000x100000", e.Message);
    }

    [Fact]
    public void GarbageIsNotAnImage()
    {
        var path = Path.Combine(_dir, "x.png");
        File.WriteAllText(path, "not an image");
        var e = Assert.Throws<ImageFileException>(() => ImageLoader.LoadImage(path));
        Assert.Contains("x.png", e.Message);
        Assert.Throws<ImageFileException>(() => ImageLoader.LoadImage(Path.Combine(_dir, "missing.png")));
    }

    [Fact]
    public void LoadImageMaskInvertsOnlyAlpha()
    {
        var path = WriteRgba("m.png", 1, 1, (_, _) => new Rgba32(51, 102, 0, 204));
        Assert.Equal(51 / 255f, ImageLoader.LoadImageMask(path, "red").Values.Data[0]);
        Assert.Equal(102 / 255f, ImageLoader.LoadImageMask(path, "green").Values.Data[0]);
        Assert.Equal(1f - 204 / 255f, ImageLoader.LoadImageMask(path, "alpha").Values.Data[0]);
        using (var rgb = new Image<Rgb24>(1, 1, new Rgb24(9, 9, 9)))
        {
            rgb.Save(Path.Combine(_dir, "n.png"));
        }
        Assert.Equal(0f, ImageLoader.LoadImageMask(Path.Combine(_dir, "n.png"), "alpha").Values.Data[0]);
    }

    [Fact]
    public void SaveImageNumbersAfterTheHighestExistingFile()
    {
        var output = Path.Combine(_dir, "output");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "ComfyUI_00007_.png"), "");
        File.WriteAllText(Path.Combine(output, "ComfyUI_x_00012_.png"), ""); // "x" is not a number: counts as 0
        File.WriteAllText(Path.Combine(output, "Other_00050_.png"), "");
        var saved = ImageSaver.Save(new ImageBatch(2, 2, 2), output);
        Assert.Equal(["ComfyUI_00008_.png", "ComfyUI_00009_.png"], saved.Select(s => s.Filename));
        Assert.All(saved, s => Assert.Equal("", s.Subfolder));
        Assert.True(File.Exists(Path.Combine(output, "ComfyUI_00009_.png")));
    }

    [Fact]
    public void SaveImagePrefixMayNameASubfolderButNotEscape()
    {
        var output = Path.Combine(_dir, "output");
        var saved = ImageSaver.Save(new ImageBatch(1, 8, 4), output, "renders/cat_%width%x%height%");
        Assert.Equal("renders", saved[0].Subfolder);
        Assert.Equal("cat_4x8_00001_.png", saved[0].Filename);
        Assert.True(File.Exists(Path.Combine(output, "renders", "cat_4x8_00001_.png")));
        Assert.Throws<InvalidOperationException>(() => ImageSaver.Save(new ImageBatch(1, 1, 1), output, "../escape"));
    }

    [Fact]
    public void SavedPixelsAreTruncatedAndMetadataIsPlainText()
    {
        var output = Path.Combine(_dir, "output");
        var image = new ImageBatch(new Tensor4([1, 1, 1, 3], [0.999f, 1.5f, -0.2f]));
        var saved = ImageSaver.Save(image, output, "t", "{\"1\": {\"inputs\": {}}}", new Dictionary<string, string> { ["workflow"] = "{\"nodes\": []}" });
        var path = Path.Combine(output, saved[0].Filename);
        using (var png = Image.Load<Rgb24>(path))
        {
            // 255 * 0.999 = 254.745 -> 254 (truncated); 1.5 clips to 255; -0.2 clips to 0.
            Assert.Equal(new Rgb24(254, 255, 0), png[0, 0]);
        }
        var chunks = TextChunks(File.ReadAllBytes(path));
        Assert.Equal("{\"1\": {\"inputs\": {}}}", chunks["prompt"]);
        Assert.Equal("{\"nodes\": []}", chunks["workflow"]);

        var plain = ImageSaver.Save(image, output, "u", "{}");
        Assert.False(TextChunks(File.ReadAllBytes(Path.Combine(output, plain[0].Filename))).ContainsKey("workflow"));
    }

    /// <summary>The tEXt chunks of a PNG, read with the PNG chunk layout (length, type, data, CRC).</summary>
    private static Dictionary<string, string> TextChunks(byte[] png)
    {
        var result = new Dictionary<string, string>();
        int at = 8;
        while (at + 8 <= png.Length)
        {
            int length = (png[at] << 24) | (png[at + 1] << 16) | (png[at + 2] << 8) | png[at + 3];
            string type = Encoding.ASCII.GetString(png, at + 4, 4);
            Assert.NotEqual("zTXt", type);
            Assert.NotEqual("iTXt", type);
            if (type == "tEXt")
            {
                var data = png.AsSpan(at + 8, length);
                int nul = data.IndexOf((byte)0);
                result[Encoding.Latin1.GetString(data[..nul])] = Encoding.Latin1.GetString(data[(nul + 1)..]);
            }
            at += 12 + length;
        }
        return result;
    }

    private static byte[] CraftedPng(int width, int height)
    {
        var ihdr = new byte[13];
        ihdr[0] = (byte)(width >> 24); ihdr[1] = (byte)(width >> 16); ihdr[2] = (byte)(width >> 8); ihdr[3] = (byte)width;
        ihdr[4] = (byte)(height >> 24); ihdr[5] = (byte)(height >> 16); ihdr[6] = (byte)(height >> 8); ihdr[7] = (byte)height;
        ihdr[8] = 8; // bit depth
        ihdr[9] = 6; // RGBA
        var stream = new MemoryStream();
        stream.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(stream, "IHDR", ihdr);
        WriteChunk(stream, "IEND", []);
        return stream.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        s.Write([(byte)(data.Length >> 24), (byte)(data.Length >> 16), (byte)(data.Length >> 8), (byte)data.Length]);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        uint crc = Crc32(typeBytes.Concat(data).ToArray());
        s.Write([(byte)(crc >> 24), (byte)(crc >> 16), (byte)(crc >> 8), (byte)crc]);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }
        return ~crc;
    }
}
