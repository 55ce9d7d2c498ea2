using System.Net;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

public class SettingsRoutesTests
{
    [Fact]
    public async Task SettingsAreStoredPerIdAndAsAWhole()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        Assert.Equal("{}", await client.GetStringAsync("/api/settings"));
        Assert.Equal("null", await client.GetStringAsync("/api/settings/Comfy.ColorPalette"));

        using var set = await client.PostAsync("/api/settings/Comfy.ColorPalette", new StringContent("\"light\""));
        Assert.Equal((HttpStatusCode.OK, ""), (set.StatusCode, await set.Content.ReadAsStringAsync()));
        await client.PostAsync("/api/settings/Comfy.Graph.ZoomSpeed", new StringContent("1.1"));
        Assert.Equal("\"light\"", await client.GetStringAsync("/api/settings/Comfy.ColorPalette"));
        Assert.Equal("""{"Comfy.ColorPalette":"light","Comfy.Graph.ZoomSpeed":1.1}""", await client.GetStringAsync("/settings"));
        // ComfyUI's file, where a ComfyUI install keeps it.
        var onDisk = JsonNode.Parse(File.ReadAllText(folders.At("user", "default", "comfy.settings.json")))!;
        Assert.Equal("light", onDisk["Comfy.ColorPalette"]!.GetValue<string>());

        using var replace = await client.PostAsync("/settings", new StringContent("""{"Comfy.Locale": "en"}"""));
        Assert.Equal(HttpStatusCode.OK, replace.StatusCode);
        Assert.Equal("""{"Comfy.Locale":"en"}""", await client.GetStringAsync("/api/settings"));
    }

    [Theory]
    [InlineData("/settings", "[1, 2]", HttpStatusCode.BadRequest)]
    [InlineData("/settings", "{\"a\": ", HttpStatusCode.BadRequest)]
    [InlineData("/settings/x", "", HttpStatusCode.BadRequest)]
    public async Task BadSettingsBodiesAre400(string path, string body, HttpStatusCode expected)
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync();
        await using var _ = app;
        using var response = await client.PostAsync(path, new StringContent(body));
        Assert.Equal(expected, response.StatusCode);
        Assert.False(File.Exists(folders.At("user", "default", "comfy.settings.json")));
    }

    [Fact]
    public async Task ATooDeepOrTooLargeBodyIsRefusedBeforeAnythingIsStored()
    {
        using var folders = new TestFolders();
        var (app, client) = await folders.StartAsync("--max-json-size", "0.01"); // 10486 bytes
        await using var _ = app;
        string deep = "{\"a\": " + new string('[', 70) + new string(']', 70) + "}";
        using var tooDeep = await client.PostAsync("/api/settings", new StringContent(deep));
        Assert.Equal(HttpStatusCode.BadRequest, tooDeep.StatusCode);
        Assert.Contains("nested deeper than 64", await tooDeep.Content.ReadAsStringAsync());
        using var tooLarge = await client.PostAsync("/api/settings/x", new StringContent($"\"{new string('x', 20_000)}\""));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.False(File.Exists(folders.At("user", "default", "comfy.settings.json")));
    }
}
