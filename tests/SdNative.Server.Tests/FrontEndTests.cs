using System.Net;

namespace SdNative.Server.Tests;

public class FrontEndTests
{
    private static TestFolders WithFrontEnd()
    {
        var folders = new TestFolders();
        Directory.CreateDirectory(folders.At("web", "assets"));
        File.WriteAllText(folders.At("web", "index.html"), "<!doctype html><title>front end</title>");
        File.WriteAllText(folders.At("web", "assets", "app.js"), "console.log('editor');");
        File.WriteAllText(folders.At("web", "assets", "app.js.sdnmap"), "{}");
        File.WriteAllText(folders.At("web", ".env"), "SECRET=1");
        File.WriteAllText(folders.At("beside.txt"), "outside the front end");
        return folders;
    }

    [Fact]
    public async Task TheFrontEndIsServedAtTheRootWithItsFiles()
    {
        using var folders = WithFrontEnd();
        var (app, client) = await folders.StartAsync("--front-end-root", folders.At("web"));
        await using var _ = app;
        using var index = await client.GetAsync("/");
        Assert.Equal("<!doctype html><title>front end</title>", await index.Content.ReadAsStringAsync());
        Assert.Equal("text/html", index.Content.Headers.ContentType!.MediaType);
        Assert.True(index.Headers.CacheControl!.NoCache);
        using var script = await client.GetAsync("/assets/app.js");
        Assert.Equal("console.log('editor');", await script.Content.ReadAsStringAsync());
        Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
        using var unknownType = await client.GetAsync("/assets/app.js.sdnmap");
        Assert.Equal(("{}", "application/octet-stream"), (await unknownType.Content.ReadAsStringAsync(), unknownType.Content.Headers.ContentType!.MediaType));
        Assert.Equal("{\"supports_preview_metadata\":false,\"max_upload_size\":104857600}", await client.GetStringAsync("/api/features"));
    }

    [Theory]
    [InlineData("/.env")]
    [InlineData("/%2e%2e/beside.txt")]
    [InlineData("/assets/..%2f..%2fbeside.txt")]
    [InlineData("/missing.js")]
    public async Task OnlyVisibleFilesBelowTheRootAreServed(string path)
    {
        using var folders = WithFrontEnd();
        var (app, client) = await folders.StartAsync("--front-end-root", folders.At("web"));
        await using var _ = app;
        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task WithoutAFrontEndTheRootSaysHowToServeOne()
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("--front-end-root", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void AFrontEndRootWithoutIndexHtmlIsRefused()
    {
        using var folders = new TestFolders();
        var e = Assert.Throws<ServerConfigurationException>(() => ServerApp.Build(["--front-end-root", folders.Base]));
        Assert.Contains("no index.html", e.Message);
    }

    [Theory]
    [InlineData("/api/users", """{"storage":"server","migrated":true}""")]
    [InlineData("/api/i18n", "{}")]
    [InlineData("/api/global_subgraphs", "{}")]
    [InlineData("/api/experiment/models", "[]")]
    [InlineData("/users", """{"storage":"server","migrated":true}""")]
    public async Task TheLoadTimeRoutesAnswerAsTheContractSays(string path, string expected)
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        Assert.Equal(expected, await client.GetStringAsync(path));
    }
}
