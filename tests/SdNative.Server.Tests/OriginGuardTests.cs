using System.Net;

namespace SdNative.Server.Tests;

public class OriginGuardTests(DefaultServer shared) : IClassFixture<DefaultServer>
{
    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string host, string? origin, string path = "/features")
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        return await client.SendAsync(request);
    }

    // ComfyUI's rule (server.py origin_only_middleware): a loopback Host with an Origin naming
    // another host is refused; ports count only when both headers carry one.
    [Theory]
    [InlineData("127.0.0.1:8188", "http://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1:8188", "http://evil.example:8188", HttpStatusCode.Forbidden)]
    [InlineData("localhost:8188", "http://127.0.0.1:8188", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1:8188", "http://127.0.0.1:9999", HttpStatusCode.Forbidden)]
    [InlineData("[::1]:8188", "http://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("127.0.0.1:8188", "http://127.0.0.1:8188", HttpStatusCode.OK)]
    [InlineData("LOCALHOST:8188", "http://localhost:8188", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:8188", "http://127.0.0.1", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", "http://127.0.0.1:8188", HttpStatusCode.OK)]
    [InlineData("[::1]:8188", "http://[::1]:8188", HttpStatusCode.OK)]
    [InlineData("127.0.0.1:8188", null, HttpStatusCode.OK)]
    [InlineData("127.0.0.1:8188", "null", HttpStatusCode.OK)]
    [InlineData("studio.example:8188", "http://evil.example", HttpStatusCode.OK)] // only loopback hosts are guarded
    public async Task ALoopbackHostRefusesForeignOrigins(string host, string? origin, HttpStatusCode expected)
    {
        using var response = await Send(shared.Client, HttpMethod.Get, host, origin);
        Assert.Equal(expected, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task CorsModeAllowsOtherOriginsAndSaysSo()
    {
        var (app, client) = await TestServers.StartAsync("--enable-cors-header", "https://studio.example");
        await using var _ = app;
        using var response = await Send(client, HttpMethod.Get, "127.0.0.1:8188", "http://evil.example");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("https://studio.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("POST, GET, DELETE, PUT, OPTIONS, PATCH", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal("Content-Type, Authorization", response.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }

    [Fact]
    public async Task CorsPreflightIsAnsweredWithoutTheApiKey()
    {
        var (app, client) = await TestServers.StartAsync("--enable-cors-header", "*", "--api-key", "k");
        await using var _ = app;
        using var preflight = await Send(client, HttpMethod.Options, "127.0.0.1:8188", "http://studio.example", "/prompt");
        Assert.Equal(HttpStatusCode.OK, preflight.StatusCode);
        Assert.Equal("*", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var get = await Send(client, HttpMethod.Get, "127.0.0.1:8188", "http://studio.example");
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode); // the key is still needed for the request itself
        Assert.Equal("*", get.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }
}
