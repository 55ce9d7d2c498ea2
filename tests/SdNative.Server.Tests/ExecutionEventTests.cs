using System.Net.Http.Json;
using System.Text.Json.Nodes;
using SixLabors.ImageSharp;

namespace SdNative.Server.Tests;

/// <summary>
/// A real server on the tiny model with ClientWebSocket clients: the events of a prompt and their
/// order (comfy-compat §3.9, server-contract 3-4), previews as binary frames, the node cache across
/// prompts, and interrupt. Every wait ends on an event; timeouts only guard against hangs.
/// </summary>
public sealed class ExecutionEventTests
{
    private static JsonObject Previews => new() { ["preview_method"] = "latent2rgb" };

    [SkippableFact]
    public async Task APromptsEventsArriveInComfyUisOrderWithHistoryWrittenBeforeTheEnd()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        var hello = await ws.ReceiveAsync();
        Assert.Equal("""{"status":{"exec_info":{"queue_remaining":0}},"sid":"me"}""", hello.Data!.ToJsonString());

        var extra = Previews;
        extra["extra_pnginfo"] = new JsonObject { ["workflow"] = new JsonObject { ["nodes"] = new JsonArray(), ["links"] = new JsonArray() } };
        string id = await server.QueueAsync(ServerFolder.Txt2Img(steps: 2), "me", extra);
        var frames = await ws.ReadPromptAsync(id);
        // At "executing null" the entry is in history and the prompt is off the queue.
        var history = await server.HistoryAsync(id);
        var queue = await server.Http.GetFromJsonAsync<JsonObject>("queue");
        Assert.Equal("""{"queue_running":[],"queue_pending":[]}""", queue!.ToJsonString());
        frames.Add(await ws.ReceiveAsync());

        var types = frames.Select(f => f.Type ?? "binary").ToList();
        int Index(string type) => types.IndexOf(type);
        Assert.Equal("execution_success", types[^1]);
        Assert.True(Index("execution_start") < Index("execution_cached"), string.Join(",", types));
        Assert.True(Index("execution_cached") < Index("executing"), string.Join(",", types));
        Assert.True(Index("progress") < Index("executed"), string.Join(",", types));
        Assert.True(types.LastIndexOf("status") < types.LastIndexOf("executing"), string.Join(",", types));
        // ComfyUI's per-node order: progress_state (running), executing, [progress_state, progress,
        // preview] per step, executed for an output node, progress_state (finished).
        var sequence = frames.Where(f => f.Type is not (null or "status"))
            .Select(f => f.Type == "progress_state" ? "state " + States(f) : f.Type + " " + f.Data!["node"]).ToList();
        string done = "4:finished 6:finished 7:finished 5:finished";
        Assert.Equal(
        [
            "execution_start ", "execution_cached ",
            "state 4:running", "executing 4", "state 4:finished",
            "state 4:finished 6:running", "executing 6", "state 4:finished 6:finished",
            "state 4:finished 6:finished 7:running", "executing 7", "state 4:finished 6:finished 7:finished",
            "state 4:finished 6:finished 7:finished 5:running", "executing 5", $"state {done}",
            $"state {done} 3:running", "executing 3",
            $"state {done} 3:running", "progress 3",
            $"state {done} 3:running", "progress 3",
            $"state {done} 3:finished",
            $"state {done} 3:finished 8:running", "executing 8", $"state {done} 3:finished 8:finished",
            $"state {done} 3:finished 8:finished 9:running", "executing 9", "executed 9", $"state {done} 3:finished 8:finished 9:finished",
            "executing ", "execution_success ",
        ], sequence);
        // The payload of ComfyUI's WebUIProgressHandler: a started node is at 0 of 1, a sampler step
        // sets value and max, a finished node's value is its max; no subgraphs, so no parent.
        var states = frames.Where(f => f.Type == "progress_state").Select(f => f.Data!).ToList();
        Assert.Equal("""{"prompt_id":"ID","nodes":{"4":{"value":0,"max":1,"state":"running","node_id":"4","prompt_id":"ID","display_node_id":"4","parent_node_id":null,"real_node_id":"4"}}}""".Replace("ID", id),
            states[0].ToJsonString());
        Assert.Equal($$"""{"value":1,"max":2,"state":"running","node_id":"3","prompt_id":"{{id}}","display_node_id":"3","parent_node_id":null,"real_node_id":"3"}""",
            states.First(s => s["nodes"]!["3"]?["value"]?.GetValue<double>() == 1)["nodes"]!["3"]!.ToJsonString());
        Assert.Equal([(2.0, 2.0), (1.0, 1.0)], new[] { "3", "9" }.Select(n => (states[^1]["nodes"]![n]!["value"]!.GetValue<double>(), states[^1]["nodes"]![n]!["max"]!.GetValue<double>())));
        // The runner walks inputs in dependency order: model, then the conditionings, then the latent.
        Assert.Equal(["4", "6", "7", "5", "3", "8", "9"], Executing(frames));
        Assert.Equal([1, 2], frames.Where(f => f.Type == "progress").Select(f => f.Data!["value"]!.GetValue<int>()));
        Assert.All(frames.Where(f => f.Type == "progress"), f => Assert.Equal((2, "3"), (f.Data!["max"]!.GetValue<int>(), f.Data["node"]!.GetValue<string>())));
        Assert.All(frames.Where(f => f.Type is not (null or "status")), f => Assert.Equal(id, f.PromptId));

        var executed = frames.Single(f => f.Type == "executed").Data!;
        Assert.Equal("9", executed["node"]!.GetValue<string>());
        Assert.Equal("""{"images":[{"filename":"t_00001_.png","subfolder":"","type":"output"}]}""", executed["output"]!.ToJsonString());
        Assert.Equal(["t_00001_.png"], folder.OutputFiles().Select(Path.GetFileName));
        // extra_pnginfo reaches the PNG as ComfyUI writes it: one text chunk per key, Python's json.dumps.
        var text = Image.Identify(folder.OutputFiles()[0]).Metadata.GetPngMetadata().TextData;
        Assert.Equal("{\"nodes\": [], \"links\": []}", text.Single(t => t.Keyword == "workflow").Value);
        Assert.Contains(text, t => t.Keyword == "prompt");

        // Two steps, two previews: [1][1][JPEG].
        var previews = frames.Where(f => f.Binary is not null).Select(f => f.Binary!).ToList();
        Assert.Equal(2, previews.Count);
        Assert.All(previews, p => Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 1, 0xFF, 0xD8 }, p[..10]));

        Assert.Equal(id, history["prompt"]![1]!.GetValue<string>());
        Assert.Equal(5, history["prompt"]!.AsArray().Count);
        Assert.Equal("me", history["prompt"]![3]!["client_id"]!.GetValue<string>());
        Assert.Equal(executed["output"]!.ToJsonString(), history["outputs"]!["9"]!.ToJsonString());
        Assert.Equal("success", history["status"]!["status_str"]!.GetValue<string>());
        Assert.True(history["status"]!["completed"]!.GetValue<bool>());
        Assert.Equal(["execution_start", "execution_cached", "execution_success"],
            history["status"]!["messages"]!.AsArray().Select(m => m![0]!.GetValue<string>()));
        Assert.Equal("""{"node_id":"9","display_node":"9","parent_node":null,"real_node_id":"9"}""", history["meta"]!["9"]!.ToJsonString());
    }

    [SkippableFact]
    public async Task ChangingOnlyTheSeedRerunsTheSamplerAndWhatFollowsAndAResubmissionRunsNothing()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();

        var first = await ws.ReadPromptAsync(await server.QueueAsync(ServerFolder.Txt2Img(seed: 1), "me"));
        Assert.Equal("[]", Cached(first));

        var reseeded = await ws.ReadPromptAsync(await server.QueueAsync(ServerFolder.Txt2Img(seed: 2), "me"));
        Assert.Equal("""["4","5","6","7"]""", Cached(reseeded));
        Assert.Equal(["3", "8", "9"], Executing(reseeded));

        var again = await ws.ReadPromptAsync(await server.QueueAsync(ServerFolder.Txt2Img(seed: 2), "me"));
        Assert.Equal("""["4","5","6","7","3","8","9"]""", Cached(again));
        Assert.Empty(Executing(again));
        // The cached SaveImage re-sends the images of the run that wrote them; nothing new is written.
        Assert.Equal("t_00002_.png", again.Single(f => f.Type == "executed").Data!["output"]!["images"]![0]!["filename"]!.GetValue<string>());
        Assert.Equal(2, folder.OutputFiles().Length);
    }

    [SkippableFact]
    public async Task FreeDropsTheLoadedModelsAndCachedOutputsSoTheNextPromptLoadsAgain()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();
        await ws.ReadPromptAsync(await server.QueueAsync(ServerFolder.Txt2Img(seed: 1), "me"));
        var free = await server.Http.PostAsync("free", new StringContent("""{"unload_models": true, "free_memory": true}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, free.StatusCode);
        var again = await ws.ReadPromptAsync(await server.QueueAsync(ServerFolder.Txt2Img(seed: 2), "me"));
        Assert.Equal("[]", Cached(again));
        Assert.Contains("4", Executing(again));
    }

    [SkippableFact]
    public async Task InterruptStopsTheRunningPromptAtItsNextStepAndTheServerGoesOn()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();

        string id = await server.QueueAsync(ServerFolder.Txt2Img(steps: 10000), "me");
        var started = await ws.ReadUntilAsync(f => f.Type == "progress");
        var other = await server.Http.PostAsync("interrupt", new StringContent("""{"prompt_id": "not-running"}"""));
        Assert.Equal("", await other.Content.ReadAsStringAsync());
        var response = await server.Http.PostAsync("interrupt", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var frames = await ws.ReadUntilAsync(f => f.Type == "execution_interrupted");
        var data = frames[^1].Data!;
        Assert.Equal(("3", "KSampler"), (data["node_id"]!.GetValue<string>(), data["node_type"]!.GetValue<string>()));
        Assert.Equal("""["4","6","7","5"]""", data["executed"]!.ToJsonString());
        // The last progress came from the step the interrupt stopped, far short of the end.
        Assert.True(started.Concat(frames).Where(f => f.Type == "progress").Max(f => f.Data!["value"]!.GetValue<int>()) < 10000);

        var history = await server.HistoryAsync(id);
        Assert.Equal(("error", false), (history["status"]!["status_str"]!.GetValue<string>(), history["status"]!["completed"]!.GetValue<bool>()));
        Assert.Empty(folder.OutputFiles());

        var next = await ws.ReadPromptAsync(await server.QueueAsync(ServerFolder.Txt2Img(), "me"));
        Assert.Contains(next, f => f.Type == "executed");
    }

    [SkippableFact]
    public async Task EachOutputNodeWritesItsImagesAndSendsExecutedAsItRunsAndTheyStayWhenALaterNodeFails()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        // Found by LoadImage's validation (the file exists), refused by its decoder at run time.
        await File.WriteAllTextAsync(Path.Combine(folder.Base, "input", "broken.png"), "not a PNG");
        await using var server = await LiveServer.StartAsync(folder.Base);
        using var ws = await server.ConnectAsync("me");
        await ws.ReceiveAsync();

        var prompt = ServerFolder.Txt2Img();
        prompt["10"] = new JsonObject { ["class_type"] = "LoadImage", ["inputs"] = new JsonObject { ["image"] = "broken.png" } };
        prompt["11"] = new JsonObject { ["class_type"] = "SaveImage", ["inputs"] = new JsonObject { ["filename_prefix"] = "b", ["images"] = new JsonArray("10", 0) } };
        string id = await server.QueueAsync(prompt, "me");
        var frames = await ws.ReadPromptAsync(id);
        frames.Add(await ws.ReceiveAsync());

        var types = frames.Select(f => f.Type + " " + f.Data?["node"]).ToList();
        // SaveImage 9 reports its image before the next output's nodes start (ComfyUI's order), not at the end.
        int executed = types.IndexOf("executed 9");
        Assert.True(executed >= 0 && executed < types.IndexOf("executing 10"), string.Join(",", types));
        Assert.Equal("execution_error", frames[^1].Type);
        Assert.Equal("10", frames[^1].Data!["node_id"]!.GetValue<string>());
        Assert.Contains("9", frames[^1].Data!["executed"]!.AsArray().Select(n => n!.GetValue<string>()));
        // The image written before the failure stays, in output/ and in history (ComfyUI keeps it).
        Assert.Equal(["t_00001_.png"], folder.OutputFiles().Select(Path.GetFileName));
        var history = await server.HistoryAsync(id);
        Assert.Equal("error", history["status"]!["status_str"]!.GetValue<string>());
        Assert.Equal("""{"images":[{"filename":"t_00001_.png","subfolder":"","type":"output"}]}""", history["outputs"]!["9"]!.ToJsonString());
    }

    private static string States(WsTestClient.Frame frame) =>
        string.Join(' ', frame.Data!["nodes"]!.AsObject().Select(n => $"{n.Key}:{n.Value!["state"]}"));

    private static string Cached(List<WsTestClient.Frame> frames) => frames.Single(f => f.Type == "execution_cached").Data!["nodes"]!.ToJsonString();

    private static List<string> Executing(List<WsTestClient.Frame> frames) =>
        frames.Where(f => f.Type == "executing" && f.Data!["node"] is not null).Select(f => f.Data!["node"]!.GetValue<string>()).ToList();
}
