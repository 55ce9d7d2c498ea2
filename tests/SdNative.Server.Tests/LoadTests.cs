using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>Many clients at once on the tiny model (one step; the loader and encoders come from the cache).</summary>
public sealed class LoadTests
{
    [SkippableFact]
    public async Task TwentyClientsQueueingTwoHundredPromptsFindEveryOneInHistory()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        var clients = Enumerable.Range(0, 20).Select(async c =>
        {
            using var ws = await server.ConnectAsync($"client{c}");
            await ws.ReceiveAsync();
            var ids = new List<string>();
            for (int p = 0; p < 10; p++)
            {
                ids.Add(await server.QueueAsync(ServerFolder.Txt2Img(seed: c * 10 + p, prefix: $"c{c}"), $"client{c}"));
            }
            var done = new HashSet<string>();
            while (done.Count < ids.Count)
            {
                var frame = await ws.ReceiveAsync();
                if (frame.Type == "executing" && frame.Data!["node"] is null)
                {
                    done.Add(frame.PromptId!);
                }
            }
            Assert.Equal(ids.ToHashSet(), done);
            return ids;
        }).ToList();
        var all = (await Task.WhenAll(clients)).SelectMany(ids => ids).ToList();

        var history = (await server.Http.GetFromJsonAsync<JsonObject>("history"))!;
        Assert.Equal(200, all.Distinct().Count());
        Assert.Equal(all.ToHashSet(), history.Select(kv => kv.Key).ToHashSet());
        Assert.All(history, kv => Assert.Equal("success", kv.Value!["status"]!["status_str"]!.GetValue<string>()));
        Assert.Equal(200, folder.OutputFiles().Length);
        Assert.Equal("""{"queue_running":[],"queue_pending":[]}""", await server.Http.GetStringAsync("queue"));
    }

    [SkippableFact]
    public async Task AClientThatNeverReadsIsDroppedWhileAnotherCompletesTwentyPrompts()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        // The send timeout must outlast a reader that is merely slow on a loaded 2-core machine
        // (it reads between HTTP calls), yet drop the silent one well inside the guard.
        await using var server = await LiveServer.StartAsync(folder.Base, "--Server:WebSocketSendTimeoutSeconds", "5");
        var hub = (WebSocketHub)server.App.Services.GetService(typeof(WebSocketHub))!;
        var previews = new JsonObject { ["preview_method"] = "latent2rgb" };
        // Connected, then never read; its own prompt floods it with a preview per step until the
        // socket's buffers are full and a send stalls.
        using var silent = await server.ConnectAsync("silent");
        var flood = ServerFolder.Txt2Img(steps: 200);
        flood["5"]!["inputs"]!["width"] = 128;
        flood["5"]!["inputs"]!["height"] = 128;
        await server.QueueAsync(flood, "silent", (JsonObject)previews.DeepClone());

        using var reader = await server.ConnectAsync("reader");
        await reader.ReceiveAsync();
        for (int i = 0; i < 20; i++)
        {
            string id = await server.QueueAsync(ServerFolder.Txt2Img(seed: i, steps: 2), "reader", (JsonObject)previews.DeepClone());
            var frames = await reader.ReadPromptAsync(id);
            Assert.Contains(frames, f => f.Type == "executed");
        }
        await hub.Gone("silent").WaitAsync(WsTestClient.Guard);
        Assert.False(hub.IsConnected("silent"));
        Assert.True(hub.IsConnected("reader"));
    }
}
