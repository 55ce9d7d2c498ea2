using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace SdNative.Server.Tests;

/// <summary>
/// `sdnative serve` as its own process: killed with SIGKILL mid-run and restarted on the same base
/// folder it keeps history and pending prompts (the interrupted one is queued again); SIGTERM
/// stops it with exit 0 and the running prompt stays queued; the Python example client runs
/// the seed guide's workflow against it.
/// </summary>
public sealed class ServeProcessTests
{
    [SkippableFact]
    public async Task AKilledServerRestartsWithItsHistoryAndPendingPromptsAndSigtermExitsZero()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        string done, running, pendingA, pendingB;
        int port;
        using (var server = await ServeProcess.StartAsync(folder.Base))
        {
            port = server.Port;
            using var ws = await WsTestClient.ConnectAsync(new Uri(server.Address, "ws?clientId=me"));
            await ws.ReceiveAsync();
            done = await QueueAsync(server.Http, ServerFolder.Txt2Img(), "me");
            await ws.ReadPromptAsync(done);
            running = await QueueAsync(server.Http, ServerFolder.Txt2Img(seed: 2, steps: 10000, prefix: "long"), "me");
            pendingA = await QueueAsync(server.Http, ServerFolder.Txt2Img(seed: 3), "me");
            pendingB = await QueueAsync(server.Http, ServerFolder.Txt2Img(seed: 4), "me");
            await ws.ReadUntilAsync(f => f.Type == "progress" && f.PromptId == running);
            server.KillHard();
        }
        Assert.Single(folder.OutputFiles()); // the killed run wrote nothing

        using (var server = await ServeProcess.StartAsync(folder.Base, port))
        {
            using var ws = await WsTestClient.ConnectAsync(new Uri(server.Address, "ws?clientId=me"));
            await ws.ReceiveAsync();
            Assert.Equal("success", (await server.Http.GetFromJsonAsync<JsonObject>($"history/{done}"))![done]!["status"]!["status_str"]!.GetValue<string>());
            // The interrupted prompt runs again under its id, ahead of the two that were waiting.
            await ws.ReadUntilAsync(f => f.Type == "progress" && f.PromptId == running);
            var queue = (await server.Http.GetFromJsonAsync<JsonObject>("queue"))!;
            Assert.Equal(running, queue["queue_running"]![0]![1]!.GetValue<string>());
            Assert.Equal([pendingA, pendingB], queue["queue_pending"]!.AsArray().Select(i => i![1]!.GetValue<string>()));

            var (code, output) = await server.TerminateAsync();
            Assert.True(code == 0, output);
            Assert.DoesNotContain("   at ", output);
        }

        using (var server = await ServeProcess.StartAsync(folder.Base, port))
        {
            using var ws = await WsTestClient.ConnectAsync(new Uri(server.Address, "ws?clientId=me"));
            await ws.ReceiveAsync();
            // SIGTERM put the running prompt back (a clean stop, not a crash): it runs again.
            await ws.ReadUntilAsync(f => f.Type == "progress" && f.PromptId == running);
            await server.Http.PostAsync("interrupt", null);
            foreach (var id in new[] { pendingA, pendingB })
            {
                var frames = await ws.ReadPromptAsync(id);
                Assert.Contains(frames, f => f.Type == "executed");
            }
            var history = (await server.Http.GetFromJsonAsync<JsonObject>("history"))!;
            Assert.Equal([done, running, pendingA, pendingB], history.Select(kv => kv.Key));
        }
        Assert.Equal(3, folder.OutputFiles().Length);
    }

    [SkippableFact]
    public async Task WithOnShutdownFinishSigtermLetsTheRunningPromptCompleteFirst()
    {
        using var folder = await ServerFolder.WithTinyModelAsync();
        string id;
        int port;
        using (var server = await ServeProcess.StartAsync(folder.Base, null, "--on-shutdown", "finish"))
        {
            port = server.Port;
            using var ws = await WsTestClient.ConnectAsync(new Uri(server.Address, "ws?clientId=me"));
            await ws.ReceiveAsync();
            id = await QueueAsync(server.Http, ServerFolder.Txt2Img(steps: 200), "me");
            await ws.ReadUntilAsync(f => f.Type == "progress" && f.PromptId == id);
            var (code, output) = await server.TerminateAsync();
            Assert.True(code == 0, output);
        }
        Assert.Single(folder.OutputFiles());
        using (var server = await ServeProcess.StartAsync(folder.Base, port))
        {
            var entry = (await server.Http.GetFromJsonAsync<JsonObject>($"history/{id}"))![id]!;
            Assert.Equal("success", entry["status"]!["status_str"]!.GetValue<string>());
            Assert.Equal("""{"queue_running":[],"queue_pending":[]}""", await server.Http.GetStringAsync("queue"));
        }
    }

    [SkippableFact]
    public async Task ThePythonExampleClientRunsTheSeedGuideAndSavesItsImage()
    {
        Skip.IfNot(File.Exists("/usr/bin/python3") && HasWebsocketModule() || IsCi(), "needs /usr/bin/python3 with python3-websocket (scripts/install-deps.sh)");
        using var folder = await ServerFolder.WithTinyModelAsync();
        File.Copy(Path.Combine(folder.Base, "models", "checkpoints", ServerFolder.Checkpoint),
            Path.Combine(folder.Base, "models", "checkpoints", "v1-5-pruned-emaonly.safetensors"));
        var workflow = JsonNode.Parse(File.ReadAllText(Path.Combine(ServerFolder.RepoRoot(), "examples", "img2img-seed-guide.json")))!.AsObject();
        workflow["sampler"]!["inputs"]!["steps"] = 2; // shrunk as the example tests shrink it; input/example.png is 64×64
        string workflowPath = Path.Combine(folder.Base, "workflow.json");
        File.WriteAllText(workflowPath, workflow.ToJsonString());
        string saved = Path.Combine(folder.Base, "saved");

        using var server = await ServeProcess.StartAsync(folder.Base);
        var psi = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(ServerFolder.RepoRoot(), "examples", "comfyui_client.py"), workflowPath, "--server", $"127.0.0.1:{server.Port}", "--out", saved })
        {
            psi.ArgumentList.Add(a);
        }
        using var python = Process.Start(psi)!;
        var stdout = python.StandardOutput.ReadToEndAsync();
        var stderr = python.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(WsTestClient.Guard);
        await python.WaitForExitAsync(guard.Token);
        Assert.True(python.ExitCode == 0, await stderr);

        string file = (await stdout).Trim();
        Assert.Equal(Path.Combine(saved, "img2img_00001_.png"), file);
        var image = SdNative.Imaging.ImageLoader.LoadImage(file).Image;
        Assert.Equal((64, 64), (image.Width, image.Height));
        Assert.Equal(File.ReadAllBytes(Path.Combine(folder.Output, "img2img_00001_.png")), File.ReadAllBytes(file));
    }

    [Theory]
    [InlineData("--device", "vulkan:99", "sdnative: --device: there is no vulkan:99; there are cpu and ")]
    [InlineData("SDNATIVE_Server__Device", "gpu", "sdnative: --device takes auto, cpu, vulkan, vulkan:N, not 'gpu'")]
    public async Task AnUnknownDeviceStopsServeAtStartWithExitCode2(string setting, string device, string message)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "SdNative.Cli.dll"), "serve", "--port", "0", "--base", Directory.CreateTempSubdirectory("sdn-server-").FullName })
        {
            psi.ArgumentList.Add(a);
        }
        if (setting.StartsWith("--", StringComparison.Ordinal))
        {
            psi.ArgumentList.Add(setting);
            psi.ArgumentList.Add(device);
        }
        else
        {
            psi.Environment[setting] = device;
        }
        using var serve = Process.Start(psi)!;
        var stderr = serve.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(WsTestClient.Guard);
        await serve.WaitForExitAsync(guard.Token);
        Assert.Equal(2, serve.ExitCode);
        Assert.StartsWith(message, await stderr);
    }

    private static bool IsCi() => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    private static bool HasWebsocketModule()
    {
        using var probe = Process.Start(new ProcessStartInfo("/usr/bin/python3", "-c \"import websocket\"") { RedirectStandardError = true, UseShellExecute = false })!;
        probe.WaitForExit();
        return probe.ExitCode == 0;
    }

    private static async Task<string> QueueAsync(HttpClient http, JsonObject prompt, string clientId)
    {
        var response = await http.PostAsync("prompt", new StringContent(new JsonObject { ["prompt"] = prompt, ["client_id"] = clientId }.ToJsonString()));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonNode.Parse(text)!["prompt_id"]!.GetValue<string>();
    }
}
