using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server.Tests;

/// <summary>A fresh base folder for one test's server, removed afterwards, and small images to put in it.</summary>
public sealed class TestFolders : IDisposable
{
    public string Base { get; } = Path.Combine(Path.GetTempPath(), "sdn-server-" + Guid.NewGuid().ToString("N"));

    public TestFolders() => Directory.CreateDirectory(Base);

    public string At(params string[] parts) => Path.Combine([Base, .. parts]);

    public Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Client)> StartAsync(params string[] args) =>
        TestServers.StartAsync(["--base", Base, .. args]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Base, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A PNG whose every pixel is <paramref name="color"/>.</summary>
    public static byte[] Png(int width, int height, Rgba32 color)
    {
        using var image = new Image<Rgba32>(width, height, color);
        var buffer = new MemoryStream();
        image.Save(buffer, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        return buffer.ToArray();
    }

    public static Image<Rgba32> Decode(byte[] bytes) => Image.Load<Rgba32>(bytes);
}
