using System.Net;
using System.Text.Json.Nodes;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server.Tests;

public class UploadRoutesTests
{
    private static readonly byte[] Red = TestFolders.Png(3, 2, new Rgba32(255, 0, 0, 255));
    private static readonly byte[] Blue = TestFolders.Png(3, 2, new Rgba32(0, 0, 255, 255));
    private static readonly byte[] Green = TestFolders.Png(3, 2, new Rgba32(0, 255, 0, 255));

    /// <summary>A multipart form written byte by byte, so names HttpClient would refuse to send
    /// (a NUL, a backslash) arrive exactly as a hostile client would send them.</summary>
    internal static HttpContent Form(byte[]? image, string fileName = "cat.png", params (string Name, string Value)[] fields)
    {
        const string boundary = "sdn-test-boundary";
        var body = new MemoryStream();
        void Text(string text) => body.Write(System.Text.Encoding.UTF8.GetBytes(text));
        foreach (var (name, value) in fields)
        {
            Text($"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n");
        }
        if (image is not null)
        {
            Text($"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{fileName.Replace("\\", "\\\\")}\"\r\nContent-Type: image/png\r\n\r\n");
            body.Write(image);
            Text("\r\n");
        }
        Text($"--{boundary}--\r\n");
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return content;
    }

    internal static async Task<(HttpStatusCode Status, JsonNode? Body)> Post(HttpClient client, string path, HttpContent content)
    {
        using var response = await client.PostAsync(path, content);
        string text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonNode.Parse(text) : null);
    }

    [Fact]
    public async Task AnUploadIsStoredInInputAndNamed()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var (status, body) = await Post(client, "/upload/image", Form(Red));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"name":"cat.png","subfolder":"","type":"input"}""", body!.ToJsonString());
        Assert.Equal(Red, File.ReadAllBytes(folders.At("input", "cat.png")));
        Assert.Equal(["cat.png"], Directory.GetFiles(folders.At("input")).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("temp", "", "temp")]
    [InlineData("output", "a/b", "output/a/b")]
    [InlineData("input", "masks", "input/masks")]
    [InlineData("", "", "input")] // an empty type is the default
    public async Task TypeAndSubfolderPlaceTheFile(string type, string subfolder, string stored)
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var (status, body) = await Post(client, "/api/upload/image", Form(Red, "cat.png", ("type", type), ("subfolder", subfolder)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(new JsonObject { ["name"] = "cat.png", ["subfolder"] = subfolder, ["type"] = type.Length > 0 ? type : "input" }.ToJsonString(), body!.ToJsonString());
        Assert.Equal(Red, File.ReadAllBytes(folders.At([.. stored.Split('/'), "cat.png"])));
    }

    [Fact]
    public async Task ATakenNameIsReusedForTheSameContentAndNumberedForOther()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        async Task<string> Upload(byte[] image, bool overwrite = false) =>
            (await Post(client, "/upload/image", Form(image, "cat.png", ("overwrite", overwrite ? "true" : "false")))).Body!["name"]!.GetValue<string>();

        // ComfyUI's rule: equal content (by hash) keeps the name; other content takes "name (n).ext".
        Assert.Equal("cat.png", await Upload(Red));
        Assert.Equal("cat.png", await Upload(Red));
        Assert.Equal("cat (1).png", await Upload(Blue));
        Assert.Equal("cat (2).png", await Upload(Green));
        Assert.Equal("cat (1).png", await Upload(Blue));
        Assert.Equal(3, Directory.GetFiles(folders.At("input")).Length);
        Assert.Equal(Green, File.ReadAllBytes(folders.At("input", "cat (2).png")));
        // overwrite replaces in place.
        Assert.Equal("cat.png", await Upload(Green, overwrite: true));
        Assert.Equal(Green, File.ReadAllBytes(folders.At("input", "cat.png")));
        var (_, body) = await Post(client, "/upload/image", Form(Blue, "cat.png", ("overwrite", "1")));
        Assert.Equal("cat.png", body!["name"]!.GetValue<string>());
        Assert.Equal(Blue, File.ReadAllBytes(folders.At("input", "cat.png")));
    }

    [Theory]
    [InlineData("models")]
    [InlineData("../output")]
    [InlineData("/tmp")]
    [InlineData("checkpoints")]
    public async Task AnUnknownTypeIsRefusedAndNeverAPath(string type)
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var (status, body) = await Post(client, "/upload/image", Form(Red, "cat.png", ("type", type)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("invalid_type", body!["error"]!["type"]!.GetValue<string>());
        Assert.Empty(Directory.GetFileSystemEntries(folders.Base));
    }

    /// <summary>Names that must never reach outside the folder, as they arrive in a form field or a
    /// multipart filename (no URL decoding there: literal encodings must be refused too).</summary>
    public static TheoryData<string> Escapes => new()
    {
        "..", "../x.png", "..\\x.png", "a/../../x.png", "/etc/x.png", "\\x.png", "C:\\x.png", "C:x.png", "a\0b.png",
        "..%2fx.png", "a%2fb.png", "a%5cb.png", "%2e%2e", "./x.png",
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task EscapingSubfoldersAndFileNamesAre400(string escape)
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var bySubfolder = await Post(client, "/upload/image", Form(Red, "cat.png", ("subfolder", escape)));
        var byFileName = await Post(client, "/upload/image", Form(Red, escape));
        var byMaskSubfolder = await Post(client, "/upload/mask", Form(Red, "m.png", ("subfolder", escape), ("original_ref", """{"filename": "o.png"}""")));
        Assert.Equal(HttpStatusCode.BadRequest, bySubfolder.Status);
        Assert.Equal("invalid_subfolder", bySubfolder.Body!["error"]!["type"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, byFileName.Status);
        Assert.Equal(HttpStatusCode.BadRequest, byMaskSubfolder.Status);
        Assert.Empty(Directory.GetFiles(folders.Base, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task AFormWithoutAnImageOrNotMultipartIs400()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        var noImage = await Post(client, "/upload/image", Form(null, "x", ("type", "input")));
        Assert.Equal((HttpStatusCode.BadRequest, "missing_image"), (noImage.Status, noImage.Body!["error"]!["type"]!.GetValue<string>()));
        var json = await Post(client, "/upload/image", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_form"), (json.Status, json.Body!["error"]!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task AnUploadOverTheSizeLimitIs413()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync("--max-upload-size", "0.01"); // 10486 bytes
        await using var _ = app;
        var big = new byte[20_000];
        var (status, body) = await Post(client, "/upload/image", Form(big, "big.png"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("10486 bytes", body!["error"]!["message"]!.GetValue<string>());
        Assert.False(Directory.Exists(folders.At("input")));
    }

    [Fact]
    public async Task AnImageOverThePixelLimitOrNoImageAtAllIsRefused()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        // The decoder's limit is 16384 pixels a side (ImageLimits): one row of 16385 is refused.
        var (status, body) = await Post(client, "/upload/image", Form(TestFolders.Png(16385, 1, new Rgba32(0, 0, 0, 255)), "wide.png"));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("16385x1 pixels is over the limit of 16384x16384", body!["error"]!["message"]!.GetValue<string>());
        var (textStatus, _) = await Post(client, "/upload/image", Form("not an image"u8.ToArray(), "note.png"));
        Assert.Equal(HttpStatusCode.BadRequest, textStatus);
        Assert.Empty(Directory.GetFiles(folders.At("input")));
    }
}
