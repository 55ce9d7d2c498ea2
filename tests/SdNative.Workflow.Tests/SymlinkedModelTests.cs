using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>Checkpoints linked into models/ from elsewhere load through CheckpointLoaderSimple,
/// as in ComfyUI: a linked file, and a linked checkpoints/ folder.</summary>
public class SymlinkedModelTests
{
    private static JsonObject RoundTrip(string checkpointName) => (JsonObject)JsonNode.Parse($$$"""
        {
          "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{checkpointName}}}"}},
          "2": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
          "3": {"class_type": "VAEEncode", "inputs": {"pixels": ["2", 0], "vae": ["1", 2]}},
          "4": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["1", 2]}},
          "5": {"class_type": "SaveImage", "inputs": {"filename_prefix": "linked", "images": ["4", 0]}}
        }
        """)!;

    private static async Task<string> TinyModelElsewhere(TestFolders elsewhere)
    {
        string path = Path.Combine(elsewhere.Base, "disk2", "tiny.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        await ModelFiles.MakeTestModelAsync(engine, path, "f32", 7);
        return path;
    }

    [SkippableFact]
    public async Task ALinkedCheckpointFileLoads()
    {
        using var folders = new TestFolders();
        using var elsewhere = new TestFolders();
        string target = await TinyModelElsewhere(elsewhere);
        File.CreateSymbolicLink(Path.Combine(folders.Base, "models", "checkpoints", "linked.safetensors"), target);
        await AssertRuns(folders, "linked.safetensors");
    }

    [SkippableFact]
    public async Task ALinkedCheckpointsFolderLoads()
    {
        using var folders = new TestFolders();
        using var elsewhere = new TestFolders();
        string target = await TinyModelElsewhere(elsewhere);
        string checkpoints = Path.Combine(folders.Base, "models", "checkpoints");
        Directory.Delete(checkpoints, recursive: true);
        Directory.CreateSymbolicLink(checkpoints, Path.GetDirectoryName(target)!);
        await AssertRuns(folders, "tiny.safetensors");
    }

    private static async Task AssertRuns(TestFolders folders, string checkpointName)
    {
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var options = folders.Options with { Threads = 2, TokenizerPath = ExampleWorkflowTests.SharedVocabulary() };
        var validation = runner.Validate(RoundTrip(checkpointName).ToJsonString(), options);
        Assert.True(validation.IsValid, validation.ConsoleText());
        Assert.Contains(checkpointName, options.Folders().List(ModelFolders.Checkpoints));
        var result = await runner.RunAsync(RoundTrip(checkpointName).ToJsonString(), options);
        Assert.Single(result.FilesWritten);
        Assert.Contains(result.Nodes, n => n.ClassType == "CheckpointLoaderSimple" && !n.Cached);
    }
}
