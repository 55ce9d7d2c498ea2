using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>
/// /history and the engine-error path on a real server whose checkpoint is an empty file: prompts
/// validate (names only) and fail in the loader, which must become execution_error and nothing more.
/// </summary>
public sealed class HistoryRoutesTests : IDisposable
{
    private readonly ServerFolder _folder = ServerFolder.WithBrokenModel();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task AnEngineErrorBecomesExecutionErrorInHistoryAndTheServerGoesOn()
    {
        await using var server = await LiveServer.StartAsync(_folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();
        string id = await server.QueueAsync(ServerFolder.Txt2Img(), "me");
        var frames = await ws.ReadUntilAsync(f => f.Type == "execution_error");
        var error = frames[^1].Data!;
        Assert.Equal(("4", "CheckpointLoaderSimple", id), (error["node_id"]!.GetValue<string>(), error["node_type"]!.GetValue<string>(), error.PromptIdOf()));
        Assert.False(string.IsNullOrEmpty(error["exception_message"]!.GetValue<string>()));
        Assert.Equal("executing", frames[^2].Type);
        Assert.Null(frames[^2].Data!["node"]);

        var entry = await server.HistoryAsync(id);
        Assert.Equal("""{"status_str":"error","completed":false}""",
            new JsonObject { ["status_str"] = entry["status"]!["status_str"]!.DeepClone(), ["completed"] = entry["status"]!["completed"]!.DeepClone() }.ToJsonString());
        Assert.Equal("execution_error", entry["status"]!["messages"]!.AsArray()[^1]![0]!.GetValue<string>());
        Assert.Equal("{}", entry["outputs"]!.ToJsonString());
        Assert.Empty(_folder.OutputFiles());

        string second = await server.QueueAsync(ServerFolder.Txt2Img(seed: 2), "me");
        await ws.ReadUntilAsync(f => f.Type == "execution_error" && f.PromptId == second);
        Assert.Equal(2, (await server.Http.GetFromJsonAsync<JsonObject>("history"))!.Count);
    }

    [Fact]
    public async Task MaxItemsGivesTheNewestOffsetPicksTheStartAndDeleteAndClearRemove()
    {
        await using var server = await LiveServer.StartAsync(_folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();
        var ids = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            ids.Add(await server.QueueAsync(ServerFolder.Txt2Img(seed: i), "me"));
            await ws.ReadUntilAsync(f => f.Type == "execution_error" && f.PromptId == ids[^1]);
        }
        async Task<string[]> Keys(string query) => (await server.Http.GetFromJsonAsync<JsonObject>("history" + query))!.Select(kv => kv.Key).ToArray();
        Assert.Equal(ids, await Keys(""));
        Assert.Equal(ids[1..], await Keys("?max_items=2"));
        Assert.Equal(ids[..1], await Keys("?max_items=1&offset=0"));
        Assert.Equal(ids[1..], await Keys("?offset=1"));
        Assert.Equal(ids[1..2], await Keys("?offset=1&max_items=1&clientId=ignored"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, (await server.Http.GetAsync("history?max_items=many")).StatusCode);
        Assert.Equal("{}", await server.Http.GetStringAsync("history/unknown"));
        Assert.Equal(ids[0], (await server.Http.GetFromJsonAsync<JsonObject>($"api/history/{ids[0]}"))!.Single().Key);

        var delete = await server.Http.PostAsync("history", new StringContent(new JsonObject { ["delete"] = new JsonArray(ids[0]) }.ToJsonString()));
        Assert.Equal("", await delete.Content.ReadAsStringAsync());
        Assert.Equal(ids[1..], await Keys(""));
        await server.Http.PostAsync("history", new StringContent("""{"clear": true}"""));
        Assert.Equal("{}", await server.Http.GetStringAsync("history"));
    }

    [Fact]
    public async Task APromptWithoutAClientIdSendsNoExecutionEventsButStatusIsBroadcast()
    {
        await using var server = await LiveServer.StartAsync(_folder.Base);
        using var watcher = await server.ConnectAsync();
        var hello = await watcher.ReceiveAsync();
        Assert.Matches("^[0-9a-f]{32}$", hello.Data!["sid"]!.GetValue<string>());
        using var me = await server.ConnectAsync("me");
        await me.ReceiveAsync();

        string anonymous = await server.QueueAsync(ServerFolder.Txt2Img());
        string mine = await server.QueueAsync(ServerFolder.Txt2Img(seed: 2), "me");
        await me.ReadUntilAsync(f => f.Type == "execution_error" && f.PromptId == mine);
        // A third prompt for the watcher itself marks the end: before its execution_start the watcher
        // saw status updates and the client-less prompt's progress_state (broadcast, as ComfyUI's
        // progress is) only, nothing of the other two prompts' execution.
        string own = await server.QueueAsync(ServerFolder.Txt2Img(seed: 3), hello.Data!["sid"]!.GetValue<string>());
        var seen = await watcher.ReadUntilAsync(f => f.Type == "execution_start");
        Assert.Equal(own, seen[^1].PromptId);
        Assert.All(seen[..^1], f => Assert.True(f.Type == "status" || (f.Type == "progress_state" && f.PromptId == anonymous), f.ToString()));
        Assert.Contains(seen, f => f.Type == "progress_state");
        Assert.Equal("error", (await server.HistoryAsync(anonymous))["status"]!["status_str"]!.GetValue<string>());
    }

    [Fact]
    public async Task AFeatureFlagsMessageIsAnsweredWithTheServersFlags()
    {
        await using var server = await LiveServer.StartAsync(_folder.Base);
        using var ws = await server.ConnectAsync();
        await ws.ReceiveAsync();
        await ws.SendTextAsync("""{"type": "feature_flags", "data": {"supports_preview_metadata": true}}""");
        var reply = await ws.ReceiveAsync();
        Assert.Equal("feature_flags", reply.Type);
        Assert.Equal("""{"supports_preview_metadata":false,"max_upload_size":104857600}""", reply.Data!.ToJsonString());
    }
}

internal static class JsonTestExtensions
{
    public static string? PromptIdOf(this JsonObject data) => data["prompt_id"]?.GetValue<string>();
}
