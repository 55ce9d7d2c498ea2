using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Server.Tests;

/// <summary>
/// A throw-away base folder for a server: models/checkpoints/tiny.safetensors (the engine's
/// random-weight test model, written once per test run), models/tokenizers/ with the CLIP
/// vocabulary from the shared folder, input/example.png.
/// </summary>
internal sealed class ServerFolder : IDisposable
{
    public const string Checkpoint = "tiny.safetensors";
    private static readonly SemaphoreSlim ModelGate = new(1, 1);
    private static string? _model;

    private ServerFolder(string root) => Base = root;

    public string Base { get; }
    public string Output => Path.Combine(Base, "output");

    /// <summary>A folder whose checkpoint is an empty file: prompts validate (names only) and fail when run.</summary>
    public static ServerFolder WithBrokenModel()
    {
        var folder = Empty();
        File.WriteAllBytes(Path.Combine(folder.Base, "models", "checkpoints", Checkpoint), []);
        return folder;
    }

    /// <summary>A folder with the tiny model and the vocabulary; skips (fails under CI=true) without the shared folder.</summary>
    public static async Task<ServerFolder> WithTinyModelAsync()
    {
        string vocabulary = Vocabulary();
        var folder = Empty();
        File.Copy(await TinyModelAsync(), Path.Combine(folder.Base, "models", "checkpoints", Checkpoint));
        Directory.CreateDirectory(Path.Combine(folder.Base, "models", "tokenizers"));
        File.Copy(vocabulary, Path.Combine(folder.Base, "models", "tokenizers", Path.GetFileName(vocabulary)));
        return folder;
    }

    public string[] OutputFiles() => Directory.Exists(Output) ? Directory.GetFiles(Output, "*", SearchOption.AllDirectories) : [];

    public void Dispose()
    {
        try { Directory.Delete(Base, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>txt2img at 64×64 in one euler step: the cheapest prompt that runs every stage.</summary>
    public static JsonObject Txt2Img(long seed = 1, int steps = 1, string prefix = "t") => (JsonObject)JsonNode.Parse($$$"""
        {
          "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{Checkpoint}}}"}},
          "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
          "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
          "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
          "3": {"class_type": "KSampler", "inputs": {"seed": {{{seed}}}, "steps": {{{steps}}}, "cfg": 7, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
          "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
          "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "{{{prefix}}}", "images": ["8", 0]}}
        }
        """)!;

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SdNative.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    private static ServerFolder Empty()
    {
        var root = Directory.CreateTempSubdirectory("sdn-server-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "models", "checkpoints"));
        Directory.CreateDirectory(Path.Combine(root, "input"));
        ImageSaver.WriteExampleImage(Path.Combine(root, "input", "example.png"), 64);
        return new ServerFolder(root);
    }

    private static async Task<string> TinyModelAsync()
    {
        await ModelGate.WaitAsync();
        try
        {
            if (_model is null)
            {
                string path = Path.Combine(Directory.CreateTempSubdirectory("sdn-server-model-").FullName, Checkpoint);
                using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
                await ModelFiles.MakeTestModelAsync(engine, path, "f32", 1234);
                _model = path;
            }
            return _model;
        }
        finally
        {
            ModelGate.Release();
        }
    }

    private static string Vocabulary()
    {
        string? env = Environment.GetEnvironmentVariable("SDN_SHARED_DIR");
        string shared = string.IsNullOrEmpty(env) ? Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared")) : env;
        string path = Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
        if (!File.Exists(path))
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"CI=true but the CLIP vocabulary is missing: {path}");
            }
            Skip.If(true, $"shared folder not found ({path}); set SDN_SHARED_DIR");
        }
        return path;
    }
}
