using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>What the runner reports for a server's events: the nodes it will take from the cache
/// (before any runs) and each output node's images, also when the node itself is cached.</summary>
public class RunnerReportTests
{
    private static string Graph(int width) => $$$"""
        {
          "1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
          "2": {"class_type": "ImageScale", "inputs": {"image": ["1", 0], "upscale_method": "nearest-exact", "width": {{{width}}}, "height": 16, "crop": "disabled"}},
          "3": {"class_type": "SaveImage", "inputs": {"images": ["2", 0], "filename_prefix": "r"}},
          "4": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}
        }
        """;

    private sealed class Recorder<T> : IProgress<T>
    {
        public List<T> Values { get; } = new();
        public void Report(T value) => Values.Add(value);
    }

    [Fact]
    public async Task CachedNodesAreReportedBeforeAnyNodeRunsAndCachedOutputsKeepTheirImages()
    {
        using var folders = new TestFolders();
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var cached = new Recorder<IReadOnlyList<string>>();
        var started = new Recorder<NodeStarted>();
        runner.CachedNodes = cached;
        runner.NodeProgress = started;

        var first = await runner.RunAsync(Graph(16), folders.Options);
        Assert.Equal("""[{"Filename":"r_00001_.png","Subfolder":"","Type":"output"}]""", Json(first, "3"));

        started.Values.Clear();
        var second = await runner.RunAsync(Graph(24), folders.Options);
        Assert.Equal([[], ["1"]], cached.Values.Select(v => v.ToArray()));
        Assert.Equal(["2", "3"], started.Values.Select(s => s.NodeId));
        Assert.Equal("r_00002_.png", second.Images["3"][0].Filename);

        // Everything cached: node 4 feeds no output so it is not listed; SaveImage re-reports r_00002_.
        var third = await runner.RunAsync(Graph(24), folders.Options);
        Assert.Equal(["1", "2", "3"], cached.Values[^1]);
        Assert.Empty(third.FilesWritten);
        Assert.Equal("r_00002_.png", third.Images["3"][0].Filename);
    }

    private static string Json(RunResult result, string node) =>
        new JsonArray(result.Images[node].Select(i => (JsonNode?)new JsonObject { ["Filename"] = i.Filename, ["Subfolder"] = i.Subfolder, ["Type"] = i.Type }).ToArray()).ToJsonString();
}
