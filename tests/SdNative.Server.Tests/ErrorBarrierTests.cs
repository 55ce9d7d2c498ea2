using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;

namespace SdNative.Server.Tests;

public class ErrorBarrierTests
{
    [Theory]
    [InlineData("/fault")]
    [InlineData("/api/fault")]
    public async Task AFaultIsAGeneric500WithoutItsStackTraceOrMessage(string path)
    {
        var app = ServerApp.Build([], builder => builder.WebHost.UseTestServer());
        foreach (var prefix in new[] { "", "/api" })
        {
            app.MapGet(prefix + "/fault", string () => throw new InvalidOperationException("secret detail at /srv/models/private.safetensors"));
        }
        await app.StartAsync();
        await using var _ = app;
        using var response = await app.GetTestClient().GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("server_error", JsonNode.Parse(body)!["error"]!["type"]!.GetValue<string>());
        Assert.DoesNotContain("secret", body);
        Assert.DoesNotContain("InvalidOperationException", body);
        Assert.DoesNotContain(" at ", body);
    }

    [Fact]
    public async Task ABodyTheHostRefusesKeepsIts413()
    {
        var app = ServerApp.Build([], builder => builder.WebHost.UseTestServer());
        app.MapPost("/reads-body", string () => throw new Microsoft.AspNetCore.Http.BadHttpRequestException("Request body too large.", 413));
        await app.StartAsync();
        await using var _ = app;
        using var response = await app.GetTestClient().PostAsync("/reads-body", new StringContent("x"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("The request body is larger than this server accepts",
            JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]!["message"]!.GetValue<string>());
    }
}
