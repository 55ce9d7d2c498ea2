namespace SdNative.Tests;

/// <summary>Tiny random test models (sdn_make_test_model) with the CLIP vocabulary beside them.</summary>
internal static class TestModels
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _path;

    public static string SharedDir()
    {
        var env = Environment.GetEnvironmentVariable("SDN_SHARED_DIR");
        if (!string.IsNullOrEmpty(env))
        {
            return env;
        }
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SdNative.sln")))
        {
            dir = dir.Parent;
        }
        return Path.GetFullPath(Path.Combine(dir?.FullName ?? ".", "..", "shared"));
    }

    /// <summary>The CLIP vocabulary; skips (or fails with CI=true) when the shared folder is missing.</summary>
    public static string Vocabulary()
    {
        var path = Path.Combine(SharedDir(), "data", "clip", "bpe_simple_vocab_16e6.txt.gz");
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

    /// <summary>One f32 test checkpoint per test run, with the vocabulary copied beside it.</summary>
    public static async Task<string> CheckpointAsync()
    {
        var vocab = Vocabulary();
        await Gate.WaitAsync();
        try
        {
            if (_path is null)
            {
                var dir = Path.Combine(Path.GetTempPath(), $"sdn-managed-tests-{Environment.ProcessId}");
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, "tiny.safetensors");
                using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 1)))
                {
                    await ModelFiles.MakeTestModelAsync(engine, path, "f32", 1234);
                }
                File.Copy(vocab, Path.Combine(dir, Path.GetFileName(vocab)), overwrite: true);
                _path = path;
            }
            return _path;
        }
        finally
        {
            Gate.Release();
        }
    }
}
