using System.Net;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using static SdNative.Server.Tests.UploadRoutesTests;

namespace SdNative.Server.Tests;

public class UploadMaskTests
{
    /// <summary>An opaque 3x2 original carrying the text chunks SaveImage writes (prompt, workflow).</summary>
    private static byte[] Original()
    {
        using var image = new Image<Rgba32>(3, 2, new Rgba32(10, 20, 30, 255));
        image[0, 0] = new Rgba32(200, 150, 100, 255);
        var png = image.Metadata.GetPngMetadata();
        png.TextData.Add(new PngTextData("prompt", "{\"3\": {}}", "", ""));
        png.TextData.Add(new PngTextData("workflow", "{\"nodes\": []}", "", ""));
        var buffer = new MemoryStream();
        image.Save(buffer, new PngEncoder());
        return buffer.ToArray();
    }

    /// <summary>The mask editor's upload: transparent where the user painted (left column), opaque elsewhere.</summary>
    private static byte[] Mask(int width = 3, int height = 2)
    {
        using var image = new Image<Rgba32>(width, height, new Rgba32(0, 0, 0, 255));
        image[0, 0] = new Rgba32(0, 0, 0, 0);
        image[0, 1] = new Rgba32(0, 0, 0, 64);
        var buffer = new MemoryStream();
        image.Save(buffer, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        return buffer.ToArray();
    }

    [Theory]
    [InlineData("""{"filename": "shot.png", "subfolder": "runs", "type": "output"}""")]
    [InlineData("""{"filename": "shot.png", "subfolder": "runs"}""")]          // type defaults to output
    [InlineData("""{"filename": "shot.png [output]", "subfolder": "runs", "type": "input"}""")] // the annotation wins
    public async Task TheOriginalGetsTheMasksAlphaAndKeepsItsText(string originalRef)
    {
        using var folders = new TestFolders();
        Directory.CreateDirectory(folders.At("output", "runs"));
        File.WriteAllBytes(folders.At("output", "runs", "shot.png"), Original());
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var (status, body) = await Post(client, "/upload/mask", Form(Mask(), "clipspace-mask.png",
            ("type", "input"), ("subfolder", "clipspace"), ("original_ref", originalRef)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"name":"clipspace-mask.png","subfolder":"clipspace","type":"input"}""", body!.ToJsonString());

        using var merged = Image.Load<Rgba32>(folders.At("input", "clipspace", "clipspace-mask.png"));
        Assert.Equal(new Rgba32(200, 150, 100, 0), merged[0, 0]);
        Assert.Equal(new Rgba32(10, 20, 30, 64), merged[0, 1]);
        Assert.Equal(new Rgba32(10, 20, 30, 255), merged[2, 1]);
        var text = merged.Metadata.GetPngMetadata().TextData.ToDictionary(t => t.Keyword, t => t.Value);
        Assert.Equal("{\"3\": {}}", text["prompt"]);
        Assert.Equal("{\"nodes\": []}", text["workflow"]);
    }

    [Theory]
    [InlineData("""{"filename": "missing.png"}""", "names no file")]
    [InlineData("""{"filename": "../output/shot.png"}""", "filename is refused")]
    [InlineData("""{"filename": "shot.png", "subfolder": "../.."}""", "subfolder is refused")]
    [InlineData("""{"filename": "shot.png", "subfolder": "/etc"}""", "subfolder is refused")]
    [InlineData("""{"filename": "shot.png", "type": "models"}""", "type 'models'")]
    [InlineData("""{"subfolder": "runs"}""", "'filename'")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    public async Task ABadOriginalRefIs400NamingTheProblem(string originalRef, string expected)
    {
        using var folders = new TestFolders();
        Directory.CreateDirectory(folders.At("output"));
        File.WriteAllBytes(folders.At("output", "shot.png"), Original());
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var (status, body) = await Post(client, "/upload/mask", Form(Mask(), "m.png", ("original_ref", originalRef)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, body!["error"]!["message"]!.GetValue<string>());
        Assert.False(Directory.Exists(folders.At("input")) && Directory.GetFiles(folders.At("input")).Length > 0);
    }

    [Fact]
    public async Task AMaskOfAnotherSizeIsRefused()
    {
        using var folders = new TestFolders();
        Directory.CreateDirectory(folders.At("output"));
        File.WriteAllBytes(folders.At("output", "shot.png"), Original());
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var (status, body) = await Post(client, "/upload/mask", Form(Mask(4, 4), "m.png", ("original_ref", """{"filename": "shot.png"}""")));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("4x4 but the original image is 3x2", body!["error"]!["message"]!.GetValue<string>());
    }
}
