using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>DualCLIPLoader (type sdxl) and CLIPLoader with SD2's and the SDXL refiner's text
/// encoders, on tiny checkpoints split into one file per component with the checkpoint's
/// prefixes kept: the split workflow gives the combined checkpoint's image, whichever order the
/// two text encoders are given in. (Bare and transformers-named files, and the bit-identical
/// conditioning, are checked natively in text_encoder_files_test.)</summary>
public class TextEncoderLoaderTests
{
    private const string XlFile = "tiny-sdxl.safetensors", Sd2File = "tiny-sd2.safetensors";
    private const string UnetPrefix = "model.diffusion_model.", VaePrefix = "first_stage_model.";
    private const string XlL = "conditioner.embedders.0.transformer.", XlG = "conditioner.embedders.1.model.", Sd2H = "cond_stage_model.model.";

    private static JsonObject Combined(string checkpoint) => SplitLoaderTests.Graph(
        $$$"""
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{checkpoint}}}"}},
        """,
        """["4", 0]""", """["4", 1]""", """["4", 2]""");

    private static JsonObject Split(string unet, string clipLoader) => SplitLoaderTests.Graph(
        $$$"""
        "10": {"class_type": "UNETLoader", "inputs": {"unet_name": "{{{unet}}}", "weight_dtype": "default"}},
        "11": {{{clipLoader}}},
        "12": {"class_type": "VAELoader", "inputs": {"vae_name": "{{{unet.Replace("unet", "vae")}}}"}},
        """,
        """["10", 0]""", """["11", 0]""", """["12", 0]""");

    private static string Dual(string first, string second, string type = "sdxl") =>
        $$$"""{"class_type": "DualCLIPLoader", "inputs": {"clip_name1": "{{{first}}}", "clip_name2": "{{{second}}}", "type": "{{{type}}}"}}""";

    private static string Single(string name) =>
        $$$"""{"class_type": "CLIPLoader", "inputs": {"clip_name": "{{{name}}}", "type": "stable_diffusion"}}""";

    /// <summary>Tiny SDXL and SD2 checkpoints in models/checkpoints and their components in
    /// models/diffusion_models, models/text_encoders and models/vae.</summary>
    private static async Task<TestFolders> Folders()
    {
        var folders = new TestFolders();
        string models = Path.Combine(folders.Base, "models");
        string xl = Path.Combine(models, "checkpoints", XlFile), sd2 = Path.Combine(models, "checkpoints", Sd2File);
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 2)))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(xl)!);
            await ModelFiles.MakeTestModelAsync(engine, xl, ModelArchitecture.Sdxl, "f32", 31);
            await ModelFiles.MakeTestModelAsync(engine, sd2, ModelArchitecture.Sd2, "f32", 32);
        }
        foreach (var dir in new[] { "diffusion_models", "text_encoders", "vae" })
        {
            Directory.CreateDirectory(Path.Combine(models, dir));
        }
        string Te(string name) => Path.Combine(models, "text_encoders", name);
        foreach (var (checkpoint, stem) in new[] { (xl, "xl"), (sd2, "sd2") })
        {
            SafetensorsSplitter.Extract(checkpoint, Path.Combine(models, "diffusion_models", $"{stem}_unet.safetensors"), UnetPrefix, UnetPrefix);
            SafetensorsSplitter.Extract(checkpoint, Path.Combine(models, "vae", $"{stem}_vae.safetensors"), VaePrefix, "");
        }
        SafetensorsSplitter.Extract(xl, Te("clip_l.safetensors"), XlL + "text_model.", "text_model.");
        SafetensorsSplitter.Extract(xl, Te("clip_g.safetensors"), XlG, XlG);
        SafetensorsSplitter.Extract(sd2, Te("open_clip_h.safetensors"), Sd2H, Sd2H);
        return folders;
    }

    private static async Task<float[]> RunAsync(TestFolders folders, JsonObject graph)
    {
        using var runner = new WorkflowRunner();
        var result = await runner.RunAsync(graph.ToJsonString(), folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 });
        string file = Assert.Single(result.FilesWritten);
        var image = ImageLoader.LoadImage(file).Image;
        File.Delete(file);
        Assert.Equal((64, 64), (image.Width, image.Height));
        return image.Pixels.Data.ToArray();
    }

    [Fact]
    public async Task DualClipLoaderGivesTheSdxlCheckpointsImageInEitherOrder()
    {
        using var folders = await Folders();
        float[] combined = await RunAsync(folders, Combined(XlFile));
        Assert.Equal(combined, await RunAsync(folders, Split("xl_unet.safetensors", Dual("clip_l.safetensors", "clip_g.safetensors"))));
        Assert.Equal(combined, await RunAsync(folders, Split("xl_unet.safetensors", Dual("clip_g.safetensors", "clip_l.safetensors"))));
    }

    [Fact]
    public async Task ALoraOnTheDualLoadedClipReachesBothEncodersAsOnTheCheckpoints()
    {
        using var folders = await Folders();
        string loras = Directory.CreateDirectory(Path.Combine(folders.Base, "models", "loras")).FullName;
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 2)))
        {
            await ModelFiles.MakeTestLoraAsync(engine, Path.Combine(loras, "xl_lora.safetensors"), ModelArchitecture.Sdxl, 33);
        }
        // LoraLoader between the loaders and everything that uses their model and CLIP.
        static JsonObject WithLora(JsonObject graph, string loader)
        {
            graph["13"] = JsonNode.Parse($$$"""
                {"class_type": "LoraLoader", "inputs": {"model": ["{{{loader}}}", 0], "clip": ["{{{(loader == "4" ? "4" : "11")}}}", {{{(loader == "4" ? 1 : 0)}}}],
                 "lora_name": "xl_lora.safetensors", "strength_model": 1.0, "strength_clip": 1.0}}
                """);
            graph["3"]!["inputs"]!["model"] = JsonNode.Parse("""["13", 0]""");
            graph["6"]!["inputs"]!["clip"] = JsonNode.Parse("""["13", 1]""");
            graph["7"]!["inputs"]!["clip"] = JsonNode.Parse("""["13", 1]""");
            return graph;
        }
        float[] combined = await RunAsync(folders, WithLora(Combined(XlFile), "4"));
        float[] split = await RunAsync(folders, WithLora(Split("xl_unet.safetensors", Dual("clip_g.safetensors", "clip_l.safetensors")), "10"));
        Assert.Equal(combined, split);
        Assert.NotEqual(combined, await RunAsync(folders, Combined(XlFile)));
    }

    [Fact]
    public async Task ADualClipLoaderRunsAgainWhenEitherOfItsFilesChangesAndIsCachedOtherwise()
    {
        using var folders = await Folders();
        using var runner = new WorkflowRunner();
        var options = folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 };
        string graph = Split("xl_unet.safetensors", Dual("clip_l.safetensors", "clip_g.safetensors")).ToJsonString();
        // A run lists the nodes it executed; one that found everything cached lists no loader.
        bool DualRan(RunResult result) => result.Nodes.Any(n => n.ClassType == "DualCLIPLoader" && !n.Cached);

        Assert.True(DualRan(await runner.RunAsync(graph, options)));
        Assert.False(DualRan(await runner.RunAsync(graph, options)));
        foreach (string file in new[] { "clip_g.safetensors", "clip_l.safetensors" })
        {
            // A file replaced under the same name: a new time stamp, as a copy over it would give.
            string path = Path.Combine(folders.Base, "models", "text_encoders", file);
            File.SetLastWriteTimeUtc(path, File.GetLastWriteTimeUtc(path).AddMinutes(5));
            Assert.True(DualRan(await runner.RunAsync(graph, options)));
            Assert.False(DualRan(await runner.RunAsync(graph, options)));
        }
    }

    [Fact]
    public async Task ClipLoaderGivesTheSd2CheckpointsImageFromItsOpenClipHFile()
    {
        using var folders = await Folders();
        float[] combined = await RunAsync(folders, Combined(Sd2File));
        Assert.Equal(combined, await RunAsync(folders, Split("sd2_unet.safetensors", Single("open_clip_h.safetensors"))));
    }

    [Theory]
    [InlineData("clip_l.safetensors", "clip_l.safetensors", "sdxl", "needs one CLIP-L and one OpenCLIP ViT-bigG file")]
    [InlineData("clip_l.safetensors", "clip_g.safetensors", "flux", "DualCLIPLoader type 'flux' is not supported")]
    [InlineData("clip_l.safetensors", "xl_unet.safetensors", "sdxl", "load it with UNETLoader")]
    public async Task PairsThatDoNotFitAreRefusedByName(string first, string second, string type, string message)
    {
        using var folders = await Folders();
        // A UNet file put where text encoders live.
        File.Copy(Path.Combine(folders.Base, "models", "diffusion_models", "xl_unet.safetensors"),
            Path.Combine(folders.Base, "models", "text_encoders", "xl_unet.safetensors"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(folders, Split("xl_unet.safetensors", Dual(first, second, type))));
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public void DualClipLoaderDeclaresComfysInputs()
    {
        var node = NodeCatalog.Find("DualCLIPLoader")!;
        Assert.Equal(["clip_name1", "clip_name2", "type"], node.Required.Select(i => i.Name));
        Assert.Equal("sdxl", node.Required[2].Choices![0]);
        Assert.Contains("flux", node.Required[2].Choices!);
        Assert.Equal(["device"], node.Optional.Select(i => i.Name));
        Assert.Equal(["CLIP"], node.Outputs);
    }
}
