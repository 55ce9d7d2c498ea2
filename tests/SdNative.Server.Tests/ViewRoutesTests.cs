using System.Net;
using System.Text.Json.Nodes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server.Tests;

/// <summary>/view only reads, so one server over one set of files serves every test here.</summary>
public sealed class ViewServer : IAsyncLifetime
{
    public static readonly Rgba32 Translucent = new(200, 100, 50, 128);

    public TestFolders Folders { get; } = new();

    public Microsoft.AspNetCore.Builder.WebApplication? App { get; private set; }

    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Folders.At("output", "sub"));
        Directory.CreateDirectory(Folders.At("input"));
        Directory.CreateDirectory(Folders.At("temp"));
        File.WriteAllBytes(Folders.At("output", "sub", "a.png"), TestFolders.Png(4, 3, Translucent));
        File.WriteAllBytes(Folders.At("output", "top.png"), TestFolders.Png(2, 2, Translucent));
        File.WriteAllBytes(Folders.At("input", "in.png"), TestFolders.Png(2, 2, Translucent));
        File.WriteAllBytes(Folders.At("temp", "t.png"), TestFolders.Png(2, 2, Translucent));
        File.WriteAllText(Folders.At("input", "page.html"), "<script>alert(1)</script>");
        (App, Client) = await Folders.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await App!.DisposeAsync();
        Folders.Dispose();
    }
}

public class ViewRoutesTests(ViewServer served) : IClassFixture<ViewServer>
{
    [Theory]
    [InlineData("/view?filename=a.png&subfolder=sub", "output/sub/a.png")]
    [InlineData("/api/view?filename=a.png&subfolder=sub&type=output", "output/sub/a.png")]
    [InlineData("/view?filename=top.png", "output/top.png")]            // type defaults to output
    [InlineData("/view?filename=in.png&type=input", "input/in.png")]
    [InlineData("/view?filename=t.png&type=temp&subfolder=", "temp/t.png")]
    [InlineData("/view?filename=in.png%20%5Binput%5D", "input/in.png")] // "in.png [input]": the annotation names the folder
    [InlineData("/view?filename=sub%2Fa.png&subfolder=sub", "output/sub/a.png")] // only the basename counts, as in ComfyUI
    [InlineData("/view?filename=top.png&clientId=x", "output/top.png")]  // unknown parameters are ignored
    public async Task RawFilesAreServedAsStoredWithComfyUisHeaders(string url, string stored)
    {
        var (folders, client) = (served.Folders, served.Client);
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(File.ReadAllBytes(folders.At(stored.Split('/'))), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal($"filename=\"{Path.GetFileName(stored)}\"", response.Content.Headers.GetValues("Content-Disposition").Single());
    }

    [Fact]
    public async Task PagesAreServedAsDownloadsNeverRenderedNorConverted()
    {
        var client = served.Client;
        using var response = await client.GetAsync("/view?filename=page.html&type=input");
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType!.MediaType);
        using var preview = await client.GetAsync("/view?filename=page.html&type=input&preview=webp");
        Assert.Equal(HttpStatusCode.BadRequest, preview.StatusCode);
        Assert.Equal("invalid_image", JsonNode.Parse(await preview.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("a.png", "filename=\"a.png\"")]                      // ComfyUI's form
    [InlineData("say \"hi\".png", "filename=\"say \\\"hi\\\".png\"")] // quotes escaped (RFC 9110 quoted-string)
    [InlineData("café.png", "filename=\"caf_.png\"; filename*=UTF-8''caf%C3%A9.png")] // RFC 6266/5987 for non-ASCII
    public void ContentDispositionCarriesAnyName(string name, string expected) =>
        Assert.Equal(expected, ViewRoutes.ContentDisposition(name));

    [Theory]
    [InlineData("/view", HttpStatusCode.NotFound)]                                  // no filename
    [InlineData("/view?filename=missing.png", HttpStatusCode.NotFound)]
    [InlineData("/view?filename=a.png", HttpStatusCode.NotFound)]                   // it is in sub/
    [InlineData("/view?filename=top.png&type=models", HttpStatusCode.BadRequest)]   // unknown type: refused, never a folder
    [InlineData("/view?filename=top.png&type=..%2Foutput", HttpStatusCode.BadRequest)]
    [InlineData("/view?filename=top.png&type=", HttpStatusCode.BadRequest)]
    public async Task MissingFilesAre404AndUnknownTypes400(string url, HttpStatusCode expected)
    {
        var client = served.Client;
        using var response = await client.GetAsync(url);
        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.BadRequest)
        {
            var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
            Assert.Equal("invalid_type", error["type"]!.GetValue<string>());
            Assert.Contains("output, input, temp", error["message"]!.GetValue<string>());
        }
    }

    /// <summary>Names that must never reach outside the folder: decoded separators, literal
    /// percent-encodings, NUL, absolute paths and drive letters.</summary>
    public static TheoryData<string> Escapes => new()
    {
        "..", "../", "../top.png", "..%2Ftop.png", "..%5Ctop.png", "sub%2F..%2F..%2Fx", "%252e%252e%252fx", "a%252fb",
        "a%255cb", "%2Fetc%2Fpasswd", "%5Cetc", "C:%5Cx.png", "C:x.png", "a%00b", "sub%2F.%2Fa.png", "sub%2F%2Fa.png",
    };

    [Theory]
    [MemberData(nameof(Escapes))]
    public async Task EscapingFilenamesAre400AndEscapingSubfolders403(string escape)
    {
        var client = served.Client;
        using var byName = await client.GetAsync($"/view?filename={escape}");
        Assert.Equal(HttpStatusCode.BadRequest, byName.StatusCode);
        Assert.Equal("invalid_filename", JsonNode.Parse(await byName.Content.ReadAsStringAsync())!["error"]!["type"]!.GetValue<string>());
        using var bySubfolder = await client.GetAsync($"/view?filename=top.png&subfolder={escape}");
        Assert.Equal(HttpStatusCode.Forbidden, bySubfolder.StatusCode);
    }

    [Theory]
    [InlineData("jpeg;90", "image/jpeg")]
    [InlineData("jpeg", "image/jpeg")]
    [InlineData("webp;50", "image/webp")]
    [InlineData("gif;90", "image/webp")] // an unknown format falls back to webp, as in ComfyUI
    public async Task PreviewsAreReencoded(string preview, string contentType)
    {
        var client = served.Client;
        using var response = await client.GetAsync($"/view?filename=a.png&subfolder=sub&preview={Uri.EscapeDataString(preview)}");
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("filename=\"a.png\"", response.Content.Headers.GetValues("Content-Disposition").Single());
        using var image = Image.Load<Rgba32>(await response.Content.ReadAsByteArrayAsync(), out var format);
        Assert.Equal(contentType, format.DefaultMimeType);
        Assert.Equal((4, 3), (image.Width, image.Height));
        var p = image[1, 1];
        // Lossy, so near: jpeg drops alpha and keeps the colour; webp keeps both.
        Assert.InRange(p.R, 185, 215);
        Assert.InRange(p.G, 85, 115);
        Assert.InRange(p.B, 35, 65);
        Assert.Equal(contentType == "image/jpeg" ? 255 : 128, p.A, 8f);
    }

    [Fact]
    public async Task ChannelRgbDropsAlphaAndChannelAKeepsOnlyAlpha()
    {
        var client = served.Client;
        byte[] rgb = await client.GetByteArrayAsync("/view?filename=a.png&subfolder=sub&channel=rgb");
        using (var image = Image.Load<Rgba32>(rgb, out var format))
        {
            Assert.Equal("image/png", format.DefaultMimeType);
            Assert.Equal(PngColorType.Rgb, image.Metadata.GetPngMetadata().ColorType);
            Assert.Equal(new Rgba32(200, 100, 50, 255), image[2, 1]);
        }
        byte[] alpha = await client.GetByteArrayAsync("/view?filename=a.png&subfolder=sub&channel=a");
        using (var image = Image.Load<Rgba32>(alpha))
        {
            Assert.Equal(new Rgba32(0, 0, 0, 128), image[2, 1]);
        }
    }
}
