using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SdNative.Server.Tests;

/// <summary>The parts the in-memory server can't show: Kestrel's own path decoding (an encoded '/'
/// stays encoded), its body-size limit raised for uploads, and a streamed body over the JSON limit.</summary>
public class KestrelTests
{
    [Fact]
    public async Task OnARealSocketPathsLimitsAndOriginsHoldAsInMemory()
    {
        using var folders = new TestFolders();
        var app = ServerApp.Build(["--base", folders.Base, "--port", "0", "--max-json-size", "0.001", "--max-upload-size", "40"]);
        await app.StartAsync();
        await using var _ = app;
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        using var saved = await client.PostAsync("/api/userdata/workflows%2Fa.json", new StringContent("{}"));
        Assert.Equal("\"workflows/a.json\"", await saved.Content.ReadAsStringAsync());
        Assert.True(File.Exists(folders.At("user", "default", "workflows", "a.json")));
        using var escape = await client.PostAsync("/api/userdata/..%2F..%2Fescape.json", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Forbidden, escape.StatusCode);

        // 35 MB is over Kestrel's 30 MB default but within --max-upload-size 40: refused for not being an image, not for its size.
        var big = new byte[35 * 1024 * 1024];
        using var upload = await client.PostAsync("/upload/image", UploadRoutesTests.Form(big, "big.png"));
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        Assert.Contains("not a usable image", await upload.Content.ReadAsStringAsync());

        // A chunked body (no Content-Length) over the JSON limit is counted as it arrives.
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"{{\"a\": \"{new string('x', 5000)}\"}}")));
        chunked.Headers.ContentLength = null;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/settings") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        using var tooLarge = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);

        using var foreign = new HttpRequestMessage(HttpMethod.Get, "/features");
        foreign.Headers.Add("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(foreign)).StatusCode);
    }
}
