using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace SdNative.Server.Tests;

public class SystemRoutesTests
{
    [Fact]
    public async Task SystemStatsHasComfyUisFields()
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        var stats = JsonNode.Parse(await client.GetStringAsync("/system_stats"))!;
        var system = (JsonObject)stats["system"]!;
        // server.py's system_stats keys, and os.name's value on this system.
        Assert.Equal(["os", "ram_total", "ram_free", "comfyui_version", "required_frontend_version", "installed_templates_version",
            "required_templates_version", "python_version", "pytorch_version", "embedded_python", "argv"], system.Select(p => p.Key));
        Assert.Equal(OperatingSystem.IsWindows() ? "nt" : "posix", system["os"]!.GetValue<string>());
        Assert.InRange(system["ram_free"]!.GetValue<long>(), 1, system["ram_total"]!.GetValue<long>());
        Assert.False(system["embedded_python"]!.GetValue<bool>());
        var device = (JsonObject)stats["devices"]![0]!;
        Assert.Equal(["name", "type", "index", "vram_total", "vram_free", "torch_vram_total", "torch_vram_free"], device.Select(p => p.Key));
        Assert.Equal(("cpu", "cpu", null), (device["name"]!.GetValue<string>(), device["type"]!.GetValue<string>(), device["index"]));
        Assert.Equal(system["ram_total"]!.GetValue<long>(), device["vram_total"]!.GetValue<long>());
    }

    [Fact]
    public async Task SystemStatsShowsTheDeviceTheEngineComputesOn()
    {
        var (app, client) = await TestServers.StartAsync("--device", "cpu");
        await using (app)
        {
            var device = JsonNode.Parse(await client.GetStringAsync("/system_stats"))!["devices"]!.AsArray().Single()!;
            Assert.Equal(("cpu", "cpu"), (device["name"]!.GetValue<string>(), device["type"]!.GetValue<string>()));
        }

        // "vulkan" is the first Vulkan device whatever its type (lavapipe included): shown with its
        // index and memory, or, on a machine without one, refused at start naming what there is.
        var gpus = GpuDevice.List();
        if (gpus.Count == 0)
        {
            var e = Assert.Throws<ServerConfigurationException>(() => ServerApp.Build(["--device", "vulkan"]));
            Assert.Equal("--device: there is no vulkan:0; there are cpu and no Vulkan devices", e.Message);
            return;
        }
        var (gpuApp, gpuClient) = await TestServers.StartAsync("--device", "vulkan");
        await using (gpuApp)
        {
            var device = JsonNode.Parse(await gpuClient.GetStringAsync("/system_stats"))!["devices"]!.AsArray().Single()!;
            Assert.Equal($$"""{"name":"vulkan:0 {{gpus[0].Name}}","type":"vulkan","index":0,"vram_total":{{gpus[0].MemoryBytes}},"vram_free":{{gpus[0].MemoryBytes}},"torch_vram_total":{{gpus[0].MemoryBytes}},"torch_vram_free":{{gpus[0].MemoryBytes}}}""",
                device.ToJsonString());
        }
    }

    [Fact]
    public void TheCommandLineIsShownWithoutTheApiKey()
    {
        Assert.Equal(["sdnative", "serve", "--api-key", "<hidden>", "--port", "1", "--api-key=<hidden>"],
            SystemStats.Redacted(["sdnative", "serve", "--api-key", "s3cret", "--port", "1", "--api-key=s3cret"]));
    }

    [Fact]
    public async Task ObjectInfoDescribesEveryNodeAndOneByName()
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        string text = await client.GetStringAsync("/object_info");
        var all = JsonNode.Parse(text)!;
        // Display names from ComfyUI's NODE_DISPLAY_NAME_MAPPINGS (comfy-compat.md 3.7).
        Assert.Equal("Load Checkpoint", all["CheckpointLoaderSimple"]!["display_name"]!.GetValue<string>());
        Assert.Equal("CLIP Text Encode (Prompt)", all["CLIPTextEncode"]!["display_name"]!.GetValue<string>());
        Assert.True(all["SaveImage"]!["output_node"]!.GetValue<bool>());
        Assert.Equal("""["INT",{"default":0,"min":0,"max":18446744073709551615""", Prefix(all["KSampler"]!["input"]!["required"]!["seed"]!.ToJsonString()));
        Assert.Contains("18446744073709551615", text); // the seed max as a JSON integer, as ComfyUI emits it

        var one = JsonNode.Parse(await client.GetStringAsync("/api/object_info/KSamplerAdvanced"))!.AsObject();
        Assert.Equal(["KSamplerAdvanced"], one.Select(p => p.Key));
        Assert.Equal("KSampler (Advanced)", one["KSamplerAdvanced"]!["display_name"]!.GetValue<string>());
        Assert.Equal(all["KSamplerAdvanced"]!.ToJsonString(), one["KSamplerAdvanced"]!.ToJsonString());

        using var unknown = await client.GetAsync("/object_info/NoSuchNode");
        Assert.Equal((HttpStatusCode.OK, "{}"), (unknown.StatusCode, await unknown.Content.ReadAsStringAsync()));
    }

    private static string Prefix(string json) => json[..json.IndexOf("18446744073709551615", StringComparison.Ordinal)] + "18446744073709551615";

    [Fact]
    public async Task TheAdvertisedUploadLimitFollowsTheOption()
    {
        var (app, client) = await TestServers.StartAsync("--max-upload-size", "2.5");
        await using var _ = app;
        Assert.Equal(2621440.0, JsonNode.Parse(await client.GetStringAsync("/features"))!["max_upload_size"]!.GetValue<double>()); // 2.5 x 1048576
    }

    [Theory]
    [InlineData("/embeddings")]
    [InlineData("/api/extensions")]
    public async Task NoEmbeddingsAndNoExtensions(string path)
    {
        var (app, client) = await TestServers.StartAsync();
        await using var _ = app;
        Assert.Equal("[]", await client.GetStringAsync(path));
    }

    private sealed class RecordingRelease : IMemoryRelease
    {
        public List<(bool Unload, bool Free)> Calls { get; } = [];

        public void Release(bool unloadModels, bool freeMemory) => Calls.Add((unloadModels, freeMemory));
    }

    [Fact]
    public async Task FreePassesItsFlagsToTheExecutionCore()
    {
        var release = new RecordingRelease();
        var app = ServerApp.Build(["--max-json-size", "0.0001"], builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<IMemoryRelease>(release);
        });
        await app.StartAsync();
        await using var _ = app;
        var client = app.GetTestClient();
        async Task<(HttpStatusCode, string)> Post(string body)
        {
            using var response = await client.PostAsync("/free", new StringContent(body));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        Assert.Equal((HttpStatusCode.OK, ""), await Post("""{"unload_models": true, "free_memory": false}"""));
        Assert.Equal((HttpStatusCode.OK, ""), await Post("""{"free_memory": true}"""));
        Assert.Equal((HttpStatusCode.OK, ""), await Post(""));
        Assert.Equal((HttpStatusCode.OK, ""), await Post("{}"));
        Assert.Equal([(true, false), (false, true)], release.Calls);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("[1]")).Item1);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post("{\"unload_models\": ")).Item1);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await Post($"{{\"x\": \"{new string('x', 200)}\"}}")).Item1); // 0.0001 MB = 105 bytes
    }
}
