namespace SdNative.Workflow.Tests;

/// <summary>The tiny random-weight SD1 checkpoint the engine writes, and the CLIP vocabulary
/// from the shared folder that its text encoder needs.</summary>
internal static class TinyModel
{
    public const string FileName = "tiny.safetensors";

    /// <summary>Writes the f32 tiny model (seed 1234) to path.</summary>
    public static async Task WriteAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        await ModelFiles.MakeTestModelAsync(engine, path, "f32", 1234);
    }

    /// <summary>The CLIP vocabulary (SDN_SHARED_DIR, else ../shared beside the repository); a
    /// missing file fails the test with where it was looked for.</summary>
    public static string Vocabulary()
    {
        string path = VocabularyPath();
        return File.Exists(path) ? path : throw new FileNotFoundException($"the CLIP vocabulary is missing (set SDN_SHARED_DIR): {path}");
    }

    /// <summary>Where the CLIP vocabulary should be, whether or not it is there.</summary>
    public static string VocabularyPath()
    {
        string? env = Environment.GetEnvironmentVariable("SDN_SHARED_DIR");
        string shared = string.IsNullOrEmpty(env) ? Path.GetFullPath(Path.Combine(TestFolders.RepoRoot(), "..", "shared")) : env;
        return Path.Combine(shared, "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
    }

    /// <summary>The CLIP vocabulary, or a skip naming where it was looked for; under CI=true a
    /// missing vocabulary fails instead.</summary>
    public static string SharedVocabulary()
    {
        string path = VocabularyPath();
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
