using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

public class ApiKeyGuardTests(KeyedServer shared) : IClassFixture<KeyedServer>
{
    private static async Task<HttpStatusCode> Status(HttpClient client, string path, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("/features", null, HttpStatusCode.Unauthorized)]
    [InlineData("/features", "wrong", HttpStatusCode.Unauthorized)]
    [InlineData("/features", "s3cret-but-longer", HttpStatusCode.Unauthorized)]
    [InlineData("/features", "s3cre", HttpStatusCode.Unauthorized)]
    [InlineData("/features", "s3cret", HttpStatusCode.OK)]
    [InlineData("/api/features?token=wrong", null, HttpStatusCode.Unauthorized)]
    [InlineData("/api/features?token=s3cret", null, HttpStatusCode.OK)]
    [InlineData("/features?clientId=abc&token=s3cret", null, HttpStatusCode.OK)]
    [InlineData("/ws?clientId=abc", null, HttpStatusCode.Unauthorized)] // the WebSocket upgrade is checked like any request
    [InlineData("/view?filename=a.png", null, HttpStatusCode.Unauthorized)]
    [InlineData("/no/such/route", null, HttpStatusCode.Unauthorized)] // nothing about the routes leaks without the key
    public async Task WithAKeyEveryRequestMustCarryIt(string path, string? bearer, HttpStatusCode expected)
    {
        var client = shared.Client;
        Assert.Equal(expected, await Status(client, path, bearer));
    }

    [Fact]
    public async Task ARefusalSaysHowToSendTheKey()
    {
        var client = shared.Client;
        using var response = await client.GetAsync("/features");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        var error = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!;
        Assert.Equal("unauthorized", error["type"]!.GetValue<string>());
        Assert.Contains("Authorization: Bearer", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task WithoutAKeyNothingIsChecked()
    {
        var (app, client) = await TestServers.StartAsync(); // its own server: the shared one has a key
        await using var _ = app;
        Assert.Equal(HttpStatusCode.OK, await Status(client, "/features"));
        Assert.Equal(HttpStatusCode.OK, await Status(client, "/features", "anything"));
    }
}
