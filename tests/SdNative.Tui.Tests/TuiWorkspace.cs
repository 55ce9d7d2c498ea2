using SdNative.Imaging;
using SdNative.Workflow;
using SdNative.Workflow.Tests;

namespace SdNative.Tui.Tests;

/// <summary>
/// A throw-away base folder: models/checkpoints/tiny.safetensors (the engine's random-weight
/// test model, written once per test run), models/tokenizers/ with the CLIP vocabulary from the
/// shared folder, input/example.png (64×64). Without the shared folder a test skips, and fails
/// under CI=true.
/// </summary>
internal sealed class TuiWorkspace : IDisposable
{
    public const string Checkpoint = "tiny.safetensors";
    private static readonly SemaphoreSlim ModelGate = new(1, 1);
    private static string? _model;

    private TuiWorkspace(string root) => Base = root;

    public string Base { get; }
    public string Output => Path.Combine(Base, "output");
    public string Input => Path.Combine(Base, "input");

    public RunOptions Run => new(Base, Threads: 2);

    /// <summary>Folders, an input image and a checkpoint name but no model: enough to open every screen.</summary>
    public static TuiWorkspace Empty()
    {
        var root = Directory.CreateTempSubdirectory("sdn-tui-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "models", "checkpoints"));
        Directory.CreateDirectory(Path.Combine(root, "input"));
        ImageSaver.WriteExampleImage(Path.Combine(root, "input", "example.png"), 64);
        // An empty file by the checkpoint's name: workflows validate (names only) without a model.
        File.WriteAllBytes(Path.Combine(root, "models", "checkpoints", Checkpoint), []);
        return new TuiWorkspace(root);
    }

    public static TuiWorkspace WithTinyModel()
    {
        string vocabulary = TinyModel.SharedVocabulary();
        var workspace = Empty();
        File.Copy(TinyModelFile(), Path.Combine(workspace.Base, "models", "checkpoints", Checkpoint), overwrite: true);
        Directory.CreateDirectory(Path.Combine(workspace.Base, "models", "tokenizers"));
        File.Copy(vocabulary, Path.Combine(workspace.Base, "models", "tokenizers", Path.GetFileName(vocabulary)));
        return workspace;
    }

    public string[] OutputFiles() => Directory.Exists(Output) ? Directory.GetFiles(Output, "*.png", SearchOption.AllDirectories) : [];

    public void Dispose()
    {
        try { Directory.Delete(Base, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string TinyModelFile()
    {
        ModelGate.Wait();
        try
        {
            if (_model is null)
            {
                string path = Path.Combine(Directory.CreateTempSubdirectory("sdn-tui-model-").FullName, Checkpoint);
                TinyModel.WriteAsync(path).GetAwaiter().GetResult();
                _model = path;
            }
            return _model;
        }
        finally
        {
            ModelGate.Release();
        }
    }
}
