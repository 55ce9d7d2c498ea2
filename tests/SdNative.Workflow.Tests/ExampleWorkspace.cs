using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>A base folder with the tiny random test model under the examples' checkpoint name and
/// the examples' 64×64 inputs, and a runner that keeps the model loaded between runs. Tests that
/// check what an example means run it, and variants of it rewired to expose an intermediate
/// result, through <see cref="RunAsync"/>.</summary>
internal sealed class ExampleWorkspace : IDisposable
{
    private readonly TestFolders _folders = new();
    private readonly WorkflowRunner _runner = new();
    private readonly RunOptions _options;

    private ExampleWorkspace(string vocabulary)
    {
        _options = _folders.Options with { TokenizerPath = vocabulary, Threads = 2 };
        ExampleWorkflowTests.WriteInputs(_folders.Input);
    }

    public string Input => _folders.Input;

    public static async Task<ExampleWorkspace> CreateAsync()
    {
        var workspace = new ExampleWorkspace(ExampleWorkflowTests.SharedVocabulary());
        await TinyModel.WriteAsync(Path.Combine(workspace._folders.Base, "models", "checkpoints", ExampleWorkflowTests.CheckpointName));
        return workspace;
    }

    /// <summary>The example's prompt with the sizes and steps of <see cref="ExampleWorkflowTests"/>.</summary>
    public static JsonObject Example(string name)
    {
        var prompt = WorkflowDocument.Parse(File.ReadAllText(Path.Combine(TestFolders.RepoRoot(), "examples", name + ".json"))).Prompt;
        ExampleWorkflowTests.Shrink(prompt);
        return prompt;
    }

    /// <summary>Runs the prompt and loads every image it saved, in order.</summary>
    public async Task<List<ImageBatch>> RunAsync(JsonObject prompt)
    {
        var result = await _runner.RunAsync(prompt.ToJsonString(), _options);
        return result.FilesWritten.Select(f => ImageLoader.LoadImage(f).Image).ToList();
    }

    /// <summary>The prompt with the decoder fed from another node's first output, so the saved
    /// image shows that latent (the nodes after it in the example then do not run).</summary>
    public static JsonObject DecodeFrom(JsonObject prompt, string latentNode)
    {
        var copy = (JsonObject)prompt.DeepClone();
        copy["vae_decode"]!["inputs"]!["samples"] = new JsonArray(latentNode, 0);
        return copy;
    }

    public void Dispose()
    {
        _runner.Dispose();
        _folders.Dispose();
    }
}
