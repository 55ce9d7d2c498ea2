using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>A throw-away base folder: models/checkpoints/model.safetensors (empty: validation
/// only looks at names), input/example.png, output/.</summary>
internal sealed class TestFolders : IDisposable
{
    public TestFolders()
    {
        Base = Path.Combine(Path.GetTempPath(), $"sdn-workflow-tests-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path.Combine(Base, "models", "checkpoints"));
        Directory.CreateDirectory(Path.Combine(Base, "input"));
        Directory.CreateDirectory(Path.Combine(Base, "output"));
        File.WriteAllBytes(Path.Combine(Base, "models", "checkpoints", "model.safetensors"), []);
        ImageSaver.WriteExampleImage(Path.Combine(Base, "input", "example.png"), 32);
    }

    public string Base { get; }
    public string Output => Path.Combine(Base, "output");
    public string Input => Path.Combine(Base, "input");
    public RunOptions Options => new(BaseDir: Base);

    public string[] OutputFiles() => Directory.Exists(Output)
        ? Directory.GetFiles(Output, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray()
        : [];

    public void Dispose()
    {
        try { Directory.Delete(Base, recursive: true); } catch (IOException) { }
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SdNative.sln")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }

    /// <summary>The minimal txt2img workflow of the golden files.</summary>
    public static JsonObject Txt2Img() => (JsonObject)JsonNode.Parse("""
        {
          "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "model.safetensors"}},
          "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
          "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a cat", "clip": ["4", 1]}},
          "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
          "3": {"class_type": "KSampler", "inputs": {"seed": 1, "steps": 4, "cfg": 7, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
          "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
          "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "t", "images": ["8", 0]}}
        }
        """)!;
}
