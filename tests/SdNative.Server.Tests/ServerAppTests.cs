using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace SdNative.Server.Tests;

public class ServerAppTests
{
    [Theory]
    [InlineData("/features")]
    [InlineData("/api/features")]
    public async Task RoutesAnswerAtTheRootAndUnderApi(string path)
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        var body = JsonNode.Parse(await client.GetStringAsync(path))!;
        Assert.Equal(104857600.0, body["max_upload_size"]!.GetValue<double>());
    }

    [Fact]
    public async Task UnknownRoutesAre404()
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        var response = await client.GetAsync("/manager/version");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task CommandLineSwitchesSetTheOptions()
    {
        var (app, _) = await TestServers.StartAsync("--port", "9000", "--listen", "0.0.0.0", "--api-key", "k");
        await using var _a = app;
        var options = app.Services.GetRequiredService<ServerOptions>();
        Assert.Equal((9000, "0.0.0.0", "k"), (options.Port, options.Listen, options.ApiKey));
    }

    [Fact]
    public void UnsafeOptionsAreRefusedBeforeAnythingListens()
    {
        var e = Assert.Throws<ServerConfigurationException>(() => ServerApp.Build(["--listen", "0.0.0.0"]));
        Assert.Contains("--api-key", e.Message);
    }
}
