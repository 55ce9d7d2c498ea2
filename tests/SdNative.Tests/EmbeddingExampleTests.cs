using SdNative.Imaging;

namespace SdNative.Tests;

/// <summary>The example of docs/embedding.md, compiled and run (on a tiny test model) so the
/// documentation cannot rot.</summary>
public class EmbeddingExampleTests
{
    // --- begin docs/embedding.md example ---
    static async Task Img2ImgAsync(string checkpointPath, string photoPath, string outputDir, CancellationToken cancel = default)
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 0));
        using var checkpoint = await Checkpoint.LoadAsync(engine, checkpointPath, cancellationToken: cancel);
        var (photo, _) = ImageLoader.LoadImage(photoPath);
        var positive = await checkpoint.Clip!.EncodeAsync("watercolor painting, soft colors, artistic");
        var negative = await checkpoint.Clip.EncodeAsync("blurry, distorted, low quality");
        var latent = await checkpoint.Vae!.EncodeAsync(photo);
        var settings = new SamplerSettings("dpmpp_2m", "karras", Steps: 25, Cfg: 7.5f, Denoise: 0.65f, Seed: 12345);
        var progress = new Progress<GenerationProgress>(p => Console.WriteLine($"{p.Stage} {p.Step}/{p.Total}"));
        var sampled = await checkpoint.Model!.SampleAsync(settings, positive, negative, latent, progress, cancel);
        var image = await checkpoint.Vae.DecodeAsync(sampled);
        ImageSaver.Save(image, outputDir, "img2img");
    }
    // --- end docs/embedding.md example ---

    [SkippableFact]
    public async Task TheDocumentedExampleRuns()
    {
        var checkpoint = await TestModels.CheckpointAsync();
        var dir = Directory.CreateTempSubdirectory("sdn-embedding-").FullName;
        try
        {
            var photo = Path.Combine(dir, "photo.png");
            ImageSaver.WriteExampleImage(photo, 64);
            await Img2ImgAsync(checkpoint, photo, Path.Combine(dir, "output"));
            Assert.True(File.Exists(Path.Combine(dir, "output", "img2img_00001_.png")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheDocumentationCarriesTheSameCode()
    {
        // The block between the markers above must appear verbatim (modulo indentation) in the docs.
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "SdNative.sln")))
        {
            repo = repo.Parent;
        }
        Assert.NotNull(repo);
        string Normalize(string s) => string.Join('\n', s.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));
        var source = File.ReadAllText(Path.Combine(repo!.FullName, "tests", "SdNative.Tests", "EmbeddingExampleTests.cs"));
        int start = source.IndexOf("// --- begin docs/embedding.md example ---", StringComparison.Ordinal);
        int end = source.IndexOf("// --- end docs/embedding.md example ---", StringComparison.Ordinal);
        var block = source[(source.IndexOf('\n', start) + 1)..end];
        var doc = File.ReadAllText(Path.Combine(repo.FullName, "docs", "embedding.md"));
        Assert.Contains(Normalize(block), Normalize(doc));
    }
}
