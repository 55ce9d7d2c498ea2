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
    public async Task FolderSwitchesPlaceTheModelInputAndOutputFolders()
    {
        string root = Path.Combine(Path.GetTempPath(), "sdn-server-" + Guid.NewGuid().ToString("N"));
        var (app, _) = await TestServers.StartAsync("--base", root, "--output", Path.Combine(root, "elsewhere"));
        await using var _a = app;
        var folders = app.Services.GetRequiredService<SdNative.Workflow.ModelFolders>();
        Assert.Equal(Path.Combine(root, "models"), folders.ModelsDir);
        Assert.Equal(Path.Combine(root, "input"), folders.InputDir);
        Assert.Equal(Path.Combine(root, "elsewhere"), folders.OutputDir);
    }

    [Fact]
    public void UnsafeOptionsAreRefusedBeforeAnythingListens()
    {
        var e = Assert.Throws<ServerConfigurationException>(() => ServerApp.Build(["--listen", "0.0.0.0"]));
        Assert.Contains("--api-key", e.Message);
    }
}
