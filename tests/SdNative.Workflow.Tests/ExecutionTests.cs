using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>Graph order, caching, held-back saves, failures and cancellation, on image nodes
/// that need no model.</summary>
public class ExecutionTests
{
    private static JsonObject ImageGraph(int width = 16) => (JsonObject)JsonNode.Parse($$$"""
        {
          "1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
          "2": {"class_type": "ImageScale", "inputs": {"image": ["1", 0], "upscale_method": "nearest-exact", "width": {{{width}}}, "height": 16, "crop": "disabled"}},
          "3": {"class_type": "ImageInvert", "inputs": {"image": ["2", 0]}},
          "4": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "inv"}},
          "5": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}}
        }
        """)!;

    private static WorkflowRunner Runner() => new(samplerSupported: _ => true);

    [Fact]
    public async Task OnlyWhatOutputsNeedRunsInDependencyOrder()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        var result = await runner.RunAsync(ImageGraph().ToJsonString(), folders.Options);
        // Node 5 feeds no output and is skipped.
        Assert.Equal(["1", "2", "3", "4"], result.Executed);
        Assert.Single(result.FilesWritten);
        Assert.Equal("inv_00001_.png", Path.GetFileName(result.FilesWritten[0]));
        var (image, _) = ImageLoader.LoadImage(result.FilesWritten[0]);
        Assert.Equal(16, image.Width);
        Assert.Equal(16, image.Height);
    }

    [Fact]
    public async Task ChangingOneInputRerunsOnlyThatNodeAndWhatFollows()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        await runner.RunAsync(ImageGraph(16).ToJsonString(), folders.Options);
        Assert.Equal(4, runner.ExecutionCount);

        var second = await runner.RunAsync(ImageGraph(24).ToJsonString(), folders.Options);
        Assert.Equal(["2", "3", "4"], second.Executed);
        Assert.Equal(7, runner.ExecutionCount);

        // The same prompt again: everything cached, no new file (as ComfyUI).
        var third = await runner.RunAsync(ImageGraph(24).ToJsonString(), folders.Options);
        Assert.Empty(third.Executed);
        Assert.Empty(third.FilesWritten);
        Assert.Equal(2, folders.OutputFiles().Length);
    }

    [Fact]
    public async Task ChangedInputFileInvalidatesTheLoader()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        await runner.RunAsync(ImageGraph().ToJsonString(), folders.Options);
        File.Delete(Path.Combine(folders.Input, "example.png"));
        ImageSaver.WriteExampleImage(Path.Combine(folders.Input, "example.png"), 40);
        var second = await runner.RunAsync(ImageGraph().ToJsonString(), folders.Options);
        Assert.Equal(["1", "2", "3", "4"], second.Executed);
    }

    [Fact]
    public async Task SavedPngCarriesPromptWithIsChangedAndWorkflowChunk()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        var body = new JsonObject
        {
            ["prompt"] = ImageGraph(),
            ["extra_data"] = new JsonObject { ["extra_pnginfo"] = new JsonObject { ["workflow"] = new JsonObject { ["version"] = 0.4 } } },
        };
        var result = await runner.RunAsync(body.ToJsonString(), folders.Options);
        string bytes = System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(result.FilesWritten[0]));
        Assert.Contains("tEXtprompt\0", bytes);
        Assert.Contains("\"is_changed\": [\"", bytes);
        Assert.Contains("tEXtworkflow\0{\"version\": 0.4}", bytes);
    }

    [Fact]
    public async Task RuntimeFailureNamesTheNodeAndWritesNothing()
    {
        using var folders = new TestFolders();
        File.WriteAllText(Path.Combine(folders.Input, "broken.png"), "not a png");
        var prompt = ImageGraph();
        prompt["6"] = JsonNode.Parse("""{"class_type": "LoadImage", "inputs": {"image": "broken.png"}}""");
        prompt["7"] = JsonNode.Parse("""{"class_type": "SaveImage", "inputs": {"images": ["6", 0], "filename_prefix": "b"}}""");
        using var runner = Runner();
        var ex = await Assert.ThrowsAsync<WorkflowRuntimeException>(() => runner.RunAsync(prompt.ToJsonString(), folders.Options));
        Assert.Equal("6", ex.NodeId);
        Assert.Equal("LoadImage", ex.ClassType);
        Assert.Contains("node 6 (LoadImage)", ex.Message);
        Assert.Empty(folders.OutputFiles());

        // The save that was held back is not mistaken for done: fixing the input writes both.
        File.Delete(Path.Combine(folders.Input, "broken.png"));
        File.Copy(Path.Combine(folders.Input, "example.png"), Path.Combine(folders.Input, "broken.png"));
        var result = await runner.RunAsync(prompt.ToJsonString(), folders.Options);
        Assert.Equal(2, result.FilesWritten.Count);
    }

    [Fact]
    public async Task CancellationStopsTheRunAndWritesNothing()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(ImageGraph().ToJsonString(), folders.Options, null, cts.Token));
        Assert.Empty(folders.OutputFiles());
    }

    [Fact]
    public async Task InvalidWorkflowThrowsWithTheComfyBody()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        var prompt = ImageGraph();
        prompt["2"]!["inputs"]!["width"] = -1;
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => runner.RunAsync(prompt.ToJsonString(), folders.Options));
        Assert.Equal("prompt_outputs_failed_validation", ex.Body["error"]!["type"]!.GetValue<string>());
        Assert.Equal("value_smaller_than_min", ex.Body["node_errors"]!["2"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Empty(folders.OutputFiles());
    }

    [Fact]
    public async Task OverridesApplyBeforeValidation()
    {
        using var folders = new TestFolders();
        using var runner = Runner();
        var result = await runner.RunAsync(ImageGraph().ToJsonString(), folders.Options with { Overrides = [new("2.width", "8"), new("4.filename_prefix", "sub/x")] });
        Assert.Equal(Path.Combine(folders.Output, "sub", "x_00001_.png"), result.FilesWritten[0]);
        Assert.Equal(8, ImageLoader.LoadImage(result.FilesWritten[0]).Image.Width);
    }
}
