using System.Net;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

public class UserDataRoutesTests
{
    [Fact]
    public async Task FilesAreWrittenListedReadAndDeleted()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        Assert.Equal("[]", await client.GetStringAsync("/api/userdata?dir=workflows&recurse=true&split=false&full_info=true"));

        using var saved = await client.PostAsync("/api/userdata/workflows%2Fportrait.json", new StringContent("""{"nodes": []}"""));
        Assert.Equal((HttpStatusCode.OK, "\"workflows/portrait.json\""), (saved.StatusCode, await saved.Content.ReadAsStringAsync()));
        Assert.Equal("""{"nodes": []}""", File.ReadAllText(folders.At("user", "default", "workflows", "portrait.json")));
        await client.PostAsync("/api/userdata/workflows%2Fold%2Flandscape.json", new StringContent("{}"));

        Assert.Equal("""{"nodes": []}""", await client.GetStringAsync("/api/userdata/workflows%2Fportrait.json"));
        Assert.Equal("""["portrait.json"]""", await client.GetStringAsync("/api/userdata?dir=workflows"));
        Assert.Equal("""["old/landscape.json","portrait.json"]""", await client.GetStringAsync("/api/userdata?dir=workflows&recurse=true"));
        Assert.Equal("""[["old/landscape.json","old","landscape.json"],["portrait.json","portrait.json"]]""",
            await client.GetStringAsync("/api/userdata?dir=workflows&recurse=true&split=true"));
        var info = JsonNode.Parse(await client.GetStringAsync("/api/userdata?dir=workflows&full_info=true"))![0]!;
        Assert.Equal(("portrait.json", 13L), (info["path"]!.GetValue<string>(), info["size"]!.GetValue<long>()));
        Assert.InRange(info["modified"]!.GetValue<double>(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 60);

        using var refused = await client.PostAsync("/api/userdata/workflows%2Fportrait.json?overwrite=false", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using var full = await client.PostAsync("/api/userdata/workflows%2Fportrait.json?full_info=true", new StringContent("{}"));
        Assert.Equal(("workflows/portrait.json", 2L), (JsonNode.Parse(await full.Content.ReadAsStringAsync())!["path"]!.GetValue<string>(),
            JsonNode.Parse(await full.Content.ReadAsStringAsync())!["size"]!.GetValue<long>()));

        await client.PostAsync("/api/userdata/workflows%2Fother.json", new StringContent("[]"));
        using var clash = await client.PostAsync("/api/userdata/workflows%2Fother.json/move/workflows%2Fportrait.json", null);
        Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
        using var moved = await client.PostAsync("/api/userdata/workflows%2Fother.json/move/workflows%2Frenamed.json", null);
        Assert.Equal("\"workflows/renamed.json\"", await moved.Content.ReadAsStringAsync());
        Assert.Equal("[]", await client.GetStringAsync("/api/userdata/workflows%2Frenamed.json"));
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/userdata/workflows%2Fother.json/move/x.json", null)).StatusCode);
        using var escape = await client.PostAsync("/api/userdata/workflows%2Frenamed.json/move/..%2F..%2Fescape.json", null);
        Assert.Equal(HttpStatusCode.Forbidden, escape.StatusCode);

        using var deleted = await client.DeleteAsync("/api/userdata/workflows%2Fportrait.json");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/userdata/workflows%2Fportrait.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync("/api/userdata/workflows%2Fportrait.json")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/userdata")).StatusCode);
    }

    [Theory]
    [InlineData("..%2F..%2Fescape.json")]
    [InlineData("%2Fetc%2Fescape.json")]
    [InlineData("%5Cescape.json")]
    [InlineData("C%3A%5Cescape.json")]
    [InlineData("a%2500b.json")] // a NUL once decoded (a raw %00 in a path is refused by the host itself)
    [InlineData("%252e%252e%252fescape.json")]
    [InlineData("workflows%2F..%2F..%2Fescape.json")]
    [InlineData("%2e%2e")]
    public async Task PathsThatLeaveTheUserFolderAreRefused(string path)
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        using var write = await client.PostAsync($"/api/userdata/{path}", new StringContent("{}"));
        using var read = await client.GetAsync($"/api/userdata/{path}");
        using var delete = await client.DeleteAsync($"/api/userdata/{path}");
        using var list = await client.GetAsync($"/api/userdata?dir={path}");
        foreach (var response in new[] { write, read, delete, list })
        {
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound, $"{response.RequestMessage!.Method} answered {response.StatusCode}");
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(folders.Base)!, "escape.json"));
        Assert.Empty(Directory.GetFiles(folders.Base, "*", SearchOption.AllDirectories));
    }
}
