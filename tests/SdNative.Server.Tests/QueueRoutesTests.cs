using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>GET/POST /queue while a long prompt runs (held by its own first progress event, then interrupted).</summary>
public sealed class QueueRoutesTests
{
    [SkippableFact]
    public async Task TheQueueListsTheRunningPromptAndThePendingOnesInOrderAndDeleteAndClearTakePendingOnly()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();
        string running = await server.QueueAsync(ServerFolder.Txt2Img(steps: 10000), "me");
        await ws.ReadUntilAsync(f => f.Type == "progress");

        string second = await server.QueueAsync(ServerFolder.Txt2Img(seed: 2), "me");
        string third = await server.QueueAsync(ServerFolder.Txt2Img(seed: 3), "me");
        var front = await server.Http.PostAsync("prompt", new StringContent(new JsonObject { ["prompt"] = ServerFolder.Txt2Img(seed: 4), ["front"] = true }.ToJsonString()));
        string first = JsonNode.Parse(await front.Content.ReadAsStringAsync())!["prompt_id"]!.GetValue<string>();

        var queue = (await server.Http.GetFromJsonAsync<JsonObject>("api/queue"))!;
        var runningItem = queue["queue_running"]!.AsArray().Single()!.AsArray();
        Assert.Equal(5, runningItem.Count);
        Assert.Equal((0, running), (runningItem[0]!.GetValue<int>(), runningItem[1]!.GetValue<string>()));
        Assert.Equal("""["9"]""", runningItem[4]!.ToJsonString());
        Assert.Equal([first, second, third], Ids(queue["queue_pending"]));
        Assert.Equal("""{"exec_info":{"queue_remaining":4}}""", await server.Http.GetStringAsync("prompt"));

        var delete = await server.Http.PostAsync("queue", new StringContent(new JsonObject { ["delete"] = new JsonArray(third, running) }.ToJsonString()));
        Assert.Equal("", await delete.Content.ReadAsStringAsync());
        queue = (await server.Http.GetFromJsonAsync<JsonObject>("queue"))!;
        Assert.Equal([first, second], Ids(queue["queue_pending"]));
        Assert.Single(queue["queue_running"]!.AsArray()); // delete does not touch the running prompt

        await server.Http.PostAsync("queue", new StringContent("""{"clear": true}"""));
        Assert.Empty(Ids((await server.Http.GetFromJsonAsync<JsonObject>("queue"))!["queue_pending"]));
        await server.Http.PostAsync("interrupt", new StringContent(new JsonObject { ["prompt_id"] = running }.ToJsonString()));
        await ws.ReadPromptAsync(running);
        Assert.Equal("""{"queue_running":[],"queue_pending":[]}""", await server.Http.GetStringAsync("queue"));
    }

    private static List<string> Ids(JsonNode? list) => list!.AsArray().Select(item => item![1]!.GetValue<string>()).ToList();
}
