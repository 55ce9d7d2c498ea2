using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>GET/POST /prompt on the in-memory server: ComfyUI's bodies (comfy-compat §3.3, §3.4).</summary>
public sealed class PromptRoutesTests : IDisposable
{
    private readonly ServerFolder _folder = ServerFolder.WithBrokenModel();

    public void Dispose() => _folder.Dispose();

    private Task<(Microsoft.AspNetCore.Builder.WebApplication App, HttpClient Client)> StartAsync() =>
        TestServers.StartAsync("--base", _folder.Base);

    private static StringContent Json(string json, string mediaType = "application/json") => new(json, Encoding.UTF8, mediaType);

    [Theory]
    [InlineData("/prompt")]
    [InlineData("/api/prompt")]
    public async Task GetPromptAnswersQueueRemaining(string path)
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        Assert.Equal("""{"exec_info":{"queue_remaining":0}}""", await client.GetStringAsync(path));
    }

    [Fact]
    public async Task AMissingPromptIs400WithComfyUisBody()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var response = await client.PostAsync("/prompt", Json("""{"client_id": "x"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":{"type":"no_prompt","message":"No prompt provided","details":"No prompt provided","extra_info":{}},"node_errors":{}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnknownClassIs400WithComfyUisBody()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var response = await client.PostAsync("/prompt", Json("""{"prompt": {"1": {"class_type": "NoSuchNode", "inputs": {}}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("""{"error":{"type":"invalid_prompt","message":"Cannot execute because node NoSuchNode does not exist.","details":"Node ID '#1'","extra_info":{}},"node_errors":{}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUpstreamFaultFailsTheOutputsWithEmptyDetailsAndTheReasonInNodeErrors()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var prompt = ServerFolder.Txt2Img();
        prompt["3"]!["inputs"]!["cfg"] = 1000;
        var response = await client.PostAsync("/prompt", Json(new JsonObject { ["prompt"] = prompt }.ToJsonString()));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("""{"type":"prompt_outputs_failed_validation","message":"Prompt outputs failed validation","details":"","extra_info":{}}""", body["error"]!.ToJsonString());
        var sampler = body["node_errors"]!["3"]!;
        Assert.Equal("KSampler", sampler["class_type"]!.GetValue<string>());
        Assert.Equal("""["9"]""", sampler["dependent_outputs"]!.ToJsonString());
        Assert.Equal("value_bigger_than_max", sampler["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Equal("Value 1000.0 bigger than max of 100.0", sampler["errors"]![0]!["message"]!.GetValue<string>());
        Assert.Equal("cfg", sampler["errors"]![0]!["details"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFormContentTypeIsReadAsJsonAndTheClientsPromptIdIsKept()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var body = new JsonObject { ["prompt"] = ServerFolder.Txt2Img(), ["prompt_id"] = "my-id", ["client_id"] = "c1" };
        var response = await client.PostAsync("/prompt", Json(body.ToJsonString(), "application/x-www-form-urlencoded"));
        string text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"prompt_id":"my-id","number":0,"node_errors":{}}""", text);
    }

    [Fact]
    public async Task TheNumberCountsEveryPostFrontNegatesItAndAGivenNumberIsKept()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var prompt = new JsonObject { ["prompt"] = ServerFolder.Txt2Img() }.ToJsonString();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/prompt", Json("{}"))).StatusCode); // takes 0
        Assert.Equal(1, await NumberAsync(client, prompt));
        Assert.Equal(-2, await NumberAsync(client, """{"front": true, "prompt": """ + ServerFolder.Txt2Img().ToJsonString() + "}"));
        Assert.Equal(7.5, await NumberAsync(client, """{"number": 7.5, "prompt": """ + ServerFolder.Txt2Img().ToJsonString() + "}"));
        Assert.Equal(3, await NumberAsync(client, prompt));
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/prompt", Json("{not json"))).StatusCode);
        Assert.Equal(4, await NumberAsync(client, prompt)); // malformed JSON did not move the counter
    }

    [Fact]
    public async Task AGeneratedPromptIdIsAHyphenatedUuid()
    {
        var (app, client) = await StartAsync();
        await using var _ = app;
        var response = await client.PostAsync("/prompt", Json(new JsonObject { ["prompt"] = ServerFolder.Txt2Img() }.ToJsonString()));
        string id = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["prompt_id"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", id);
    }

    private static async Task<double> NumberAsync(HttpClient client, string body)
    {
        var response = await client.PostAsync("/prompt", Json(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["number"]!.GetValue<double>();
    }
}
