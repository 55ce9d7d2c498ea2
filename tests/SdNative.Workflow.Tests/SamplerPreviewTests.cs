using System.Text.Json.Nodes;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Workflow.Tests;

/// <summary>Where a workflow's sampler previews come from: the TAESD decoder ComfyUI would find in
/// models/vae_approx (8x the latent: 64x64 for the 8x8 latent here) or the latent→RGB projection
/// (8x8), per <see cref="PreviewMethod"/>.</summary>
public class SamplerPreviewTests
{
    private static JsonObject Graph() => (JsonObject)JsonNode.Parse($$$"""
        {
          "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{TinyModel.FileName}}}"}},
          "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
          "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse", "clip": ["4", 1]}},
          "3": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 2, "cfg": 1, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                "model": ["4", 0], "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["5", 0]}},
          "10": {"class_type": "KSamplerAdvanced", "inputs": {"noise_seed": 3, "steps": 2, "cfg": 1, "sampler_name": "euler", "scheduler": "normal",
                "add_noise": "enable", "start_at_step": 0, "end_at_step": 10000, "return_with_leftover_noise": "disable",
                "model": ["4", 0], "positive": ["6", 0], "negative": ["6", 0], "latent_image": ["3", 0]}},
          "8": {"class_type": "VAEDecode", "inputs": {"samples": ["10", 0], "vae": ["4", 2]}},
          "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "previews", "images": ["8", 0]}}
        }
        """)!;

    private static async Task<TestFolders> FoldersAsync(bool withTaesd)
    {
        var folders = new TestFolders();
        await TinyModel.WriteAsync(Path.Combine(folders.Base, "models", "checkpoints", TinyModel.FileName));
        if (withTaesd)
        {
            string dir = Path.Combine(folders.Base, "models", "vae_approx");
            Directory.CreateDirectory(dir);
            using var engine = new SdnEngine(new SdnEngineOptions(Threads: 1));
            // The SDXL decoder is there too and must not be taken for an SD1 model; the .pth sorts
            // first but cannot be read, so the .safetensors is taken.
            await ModelFiles.MakeTestTaesdAsync(engine, Path.Combine(dir, "taesd_decoder.safetensors"), width: 8, seed: 2);
            File.WriteAllBytes(Path.Combine(dir, "taesdxl_decoder.safetensors"), []);
            File.WriteAllBytes(Path.Combine(dir, "taesd_decoder.pth"), [0x50, 0x4B, 3, 4]);
        }
        return folders;
    }

    private static async Task<(List<(int W, int H)> Sizes, RunResult Result)> RunAsync(TestFolders folders, PreviewMethod method)
    {
        var (previews, result) = await PreviewsAsync(folders, method, Graph());
        return (previews.Select(image => (image.Width, image.Height)).ToList(), result);
    }

    private static async Task<(List<ImageBatch> Previews, RunResult Result)> PreviewsAsync(TestFolders folders, PreviewMethod method, JsonObject graph)
    {
        var previews = new List<ImageBatch>();
        using var runner = new WorkflowRunner();
        var options = folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2, PreviewEvery = 1, PreviewMethod = method };
        var result = await runner.RunAsync(graph.ToJsonString(), options,
            new InlineProgress(p => { if (p.Preview is { } image) lock (previews) previews.Add(image); }));
        return (previews, result);
    }

    [Fact]
    public async Task AnSdxlModelPreviewsThroughTaesdxlAndAnSd1ModelThroughTaesd()
    {
        var sd1 = new Rgb24(51, 153, 255);
        var xl = new Rgb24(230, 90, 20);
        using var folders = await FoldersAsync(withTaesd: false);
        const string xlFile = "tiny-sdxl.safetensors";
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 2)))
        {
            await ModelFiles.MakeTestModelAsync(engine, Path.Combine(folders.Base, "models", "checkpoints", xlFile), ModelArchitecture.Sdxl, "f32", 21);
        }
        string approx = Directory.CreateDirectory(Path.Combine(folders.Base, "models", "vae_approx")).FullName;
        ConstantTaesd.Write(Path.Combine(approx, "taesd_decoder.safetensors"), sd1);
        ConstantTaesd.Write(Path.Combine(approx, "taesdxl_decoder.safetensors"), xl);
        foreach (var (file, colour, other) in new[] { (TinyModel.FileName, sd1, xl), (xlFile, xl, sd1) })
        {
            var graph = Graph();
            graph["4"]!["inputs"]!["ckpt_name"] = file;
            var (previews, result) = await PreviewsAsync(folders, PreviewMethod.Auto, graph);
            Assert.Equal(4, previews.Count);
            Assert.All(previews, image => Assert.True(ConstantTaesd.Painted(image, colour), $"{file}: a preview is not its family's decoder colour"));
            Assert.All(previews, image => Assert.False(ConstantTaesd.Painted(image, other), $"{file}: a preview came from the other family's decoder"));
            Assert.DoesNotContain(result.Warnings, w => w.Contains("TAESD"));
        }
    }

    [Theory]
    [InlineData(PreviewMethod.Auto, true, 64)]
    [InlineData(PreviewMethod.Taesd, true, 64)]
    [InlineData(PreviewMethod.Latent2Rgb, true, 8)]
    [InlineData(PreviewMethod.Auto, false, 8)]
    public async Task BothSamplersPreviewThroughTaesdOnlyWhenItIsThereAndWanted(PreviewMethod method, bool withTaesd, int size)
    {
        using var folders = await FoldersAsync(withTaesd);
        var (sizes, result) = await RunAsync(folders, method);
        // KSampler and KSamplerAdvanced, two steps each.
        Assert.Equal(Enumerable.Repeat((size, size), 4), sizes);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("TAESD"));
    }

    [Fact]
    public async Task AskingForTaesdWithoutItsFileWarnsAndFallsBackToTheProjection()
    {
        using var folders = await FoldersAsync(withTaesd: false);
        var (sizes, result) = await RunAsync(folders, PreviewMethod.Taesd);
        Assert.Equal(Enumerable.Repeat((8, 8), 4), sizes);
        // One warning per sampler node, as ComfyUI warns each time it makes a previewer.
        var warnings = result.Warnings.Where(w => w.Contains("TAESD")).ToList();
        Assert.Equal(["node 10:", "node 3:"], warnings.Select(w => w[..w.IndexOf(':')] + ":").Order(StringComparer.Ordinal));
        Assert.All(warnings, w => Assert.Contains(Path.Combine("models", "vae_approx", "taesd_decoder"), w));
    }

    [Fact]
    public async Task AnUnreadableDecoderCostsThePreviewsNotTheImage()
    {
        using var folders = await FoldersAsync(withTaesd: false);
        string approx = Path.Combine(folders.Base, "models", "vae_approx");
        Directory.CreateDirectory(approx);
        // A PyTorch pickle (not read here) and a file that holds no decoder.
        File.WriteAllBytes(Path.Combine(approx, "taesd_decoder.pth"), [0x50, 0x4B, 3, 4]);
        var (sizes, result) = await RunAsync(folders, PreviewMethod.Auto);
        Assert.Equal(Enumerable.Repeat((8, 8), 4), sizes);
        Assert.Contains(result.Warnings, w => w.Contains("taesd_decoder.pth is a PyTorch file"));

        File.Delete(Path.Combine(approx, "taesd_decoder.pth"));
        File.Copy(Path.Combine(folders.Base, "models", "checkpoints", TinyModel.FileName), Path.Combine(approx, "taesd_decoder.safetensors"));
        (sizes, result) = await RunAsync(folders, PreviewMethod.Auto);
        Assert.Equal(Enumerable.Repeat((8, 8), 4), sizes);
        Assert.Contains(result.Warnings, w => w.Contains("holds no TAESD decoder"));
        Assert.Single(result.FilesWritten);
    }

    private sealed class InlineProgress(Action<GenerationProgress> report) : IProgress<GenerationProgress>
    {
        public void Report(GenerationProgress value) => report(value);
    }
}
