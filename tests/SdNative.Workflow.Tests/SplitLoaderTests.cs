using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>UNETLoader, CLIPLoader and VAELoader on the tiny model split into one file per
/// component (as people download them), against CheckpointLoaderSimple on the combined file.</summary>
public class SplitLoaderTests
{
    private const string UnetPrefix = "model.diffusion_model.", ClipPrefix = "cond_stage_model.transformer.text_model.", VaePrefix = "first_stage_model.";

    /// <summary>txt2img at 64x64 (two euler steps, saved) with the loaders given and where their
    /// outputs come from.</summary>
    internal static JsonObject Graph(string loaders, string model, string clip, string vae) => (JsonObject)JsonNode.Parse($$$"""
        {
          {{{loaders}}}
          "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
          "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse", "clip": {{{clip}}} }},
          "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": {{{clip}}} }},
          "3": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 2, "cfg": 5, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                "model": {{{model}}}, "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
          "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": {{{vae}}} }},
          "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "split", "images": ["8", 0]}}
        }
        """)!;

    private static JsonObject Combined() => Graph(
        $$$"""
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{TinyModel.FileName}}}"}},
        """,
        """["4", 0]""", """["4", 1]""", """["4", 2]""");

    private static JsonObject Split(string unet = "tiny_unet.safetensors", string clipType = "stable_diffusion", string dtype = "default") => Graph(
        $$$"""
        "10": {"class_type": "UNETLoader", "inputs": {"unet_name": "{{{unet}}}", "weight_dtype": "{{{dtype}}}"}},
        "11": {"class_type": "CLIPLoader", "inputs": {"clip_name": "tiny_clip_l.safetensors", "type": "{{{clipType}}}"}},
        "12": {"class_type": "VAELoader", "inputs": {"vae_name": "tiny_vae.safetensors"}},
        """,
        """["10", 0]""", """["11", 0]""", """["12", 0]""");

    /// <summary>The combined tiny model, and its UNet (bare names) in models/unet, its UNet with the
    /// checkpoint prefix in models/diffusion_models, its text model (transformers names) in
    /// models/text_encoders and its VAE (bare names) in models/vae.</summary>
    private static async Task<TestFolders> SplitFolders()
    {
        var folders = new TestFolders();
        string models = Path.Combine(folders.Base, "models");
        string combined = Path.Combine(models, "checkpoints", TinyModel.FileName);
        await TinyModel.WriteAsync(combined);
        foreach (var dir in new[] { "unet", "diffusion_models", "text_encoders", "vae" })
        {
            Directory.CreateDirectory(Path.Combine(models, dir));
        }
        SafetensorsSplitter.Extract(combined, Path.Combine(models, "unet", "tiny_unet.safetensors"), UnetPrefix, "");
        SafetensorsSplitter.Extract(combined, Path.Combine(models, "diffusion_models", "prefixed_unet.safetensors"), UnetPrefix, UnetPrefix);
        SafetensorsSplitter.Extract(combined, Path.Combine(models, "text_encoders", "tiny_clip_l.safetensors"), ClipPrefix, "text_model.");
        SafetensorsSplitter.Extract(combined, Path.Combine(models, "vae", "tiny_vae.safetensors"), VaePrefix, "");
        return folders;
    }

    private static async Task<ImageBatch> RunAsync(TestFolders folders, JsonObject graph)
    {
        using var runner = new WorkflowRunner();
        var result = await runner.RunAsync(graph.ToJsonString(), folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 });
        Assert.Single(result.FilesWritten);
        return ImageLoader.LoadImage(result.FilesWritten[0]).Image;
    }

    [Fact]
    public async Task SplitFilesGiveTheCombinedCheckpointsImage()
    {
        using var folders = await SplitFolders();
        var combined = await RunAsync(folders, Combined());
        var split = await RunAsync(folders, Split());
        Assert.Equal(combined.Pixels.Data, split.Pixels.Data);
        // A UNet file that keeps the checkpoint prefix, listed from models/diffusion_models, too.
        var prefixed = await RunAsync(folders, Split(unet: "prefixed_unet.safetensors"));
        Assert.Equal(combined.Pixels.Data, prefixed.Pixels.Data);
    }

    [Fact]
    public async Task GgufFilesInBothForeignLayoutsGiveTheCombinedCheckpointsImage()
    {
        using var folders = await SplitFolders();
        string models = Path.Combine(folders.Base, "models");
        using (var engine = new SdnEngine(new SdnEngineOptions(Threads: 2)))
        {
            // The tiny model's weights (f32, seed 1234) as ComfyUI-GGUF's UNet file and as
            // stable-diffusion.cpp's converted checkpoint.
            await ModelFiles.MakeTestGgufAsync(engine, Path.Combine(models, "unet", "tiny_unet-F32.gguf"), "comfyui-gguf", "f32", 1234);
            await ModelFiles.MakeTestGgufAsync(engine, Path.Combine(models, "checkpoints", "tiny-sdcpp.gguf"), "stable-diffusion.cpp", "f32", 1234);
        }
        var info = ObjectInfo.Build(folders.Options.Folders());
        Assert.Contains("tiny_unet-F32.gguf", info["UNETLoader"]!["input"]!["required"]!["unet_name"]![0]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("tiny-sdcpp.gguf", info["CheckpointLoaderSimple"]!["input"]!["required"]!["ckpt_name"]![0]!.AsArray().Select(n => n!.GetValue<string>()));

        var combined = await RunAsync(folders, Combined());
        var comfyGguf = await RunAsync(folders, Split(unet: "tiny_unet-F32.gguf"));
        Assert.Equal(combined.Pixels.Data, comfyGguf.Pixels.Data);
        var sdcpp = await RunAsync(folders, Graph(
            """
            "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "tiny-sdcpp.gguf"}},
            """,
            """["4", 0]""", """["4", 1]""", """["4", 2]"""));
        Assert.Equal(combined.Pixels.Data, sdcpp.Pixels.Data);
    }

    /// <summary>taesd works in SD1.x/SD2.x latents, taesdxl in SDXL's: each decodes with its
    /// family's latent scale from the spec (0.18215, 0.13025), not the other's.</summary>
    [Theory]
    [InlineData("taesd", "taesdxl", 0.18215f, 0.13025f)]
    [InlineData("taesdxl", "taesd", 0.13025f, 0.18215f)]
    public async Task VaeLoaderOffersTaesdWithBothItsFilesAndDecodesWithItsScale(string family, string otherFamily, float scale, float otherScale)
    {
        using var folders = await SplitFolders();
        string approx = Path.Combine(folders.Base, "models", "vae_approx");
        Directory.CreateDirectory(approx);
        string encoder = Path.Combine(approx, $"{family}_encoder.safetensors"), decoder = Path.Combine(approx, $"{family}_decoder.safetensors");
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        await ModelFiles.MakeTestTaesdAsync(engine, decoder, "decoder", 8, 1);
        await ModelFiles.MakeTestTaesdAsync(engine, Path.Combine(approx, $"{otherFamily}_decoder.safetensors"), "decoder", 8, 3);
        string VaeChoices() => ObjectInfo.Build(folders.Options.Folders())["VAELoader"]!["input"]!["required"]!["vae_name"]!.ToJsonString();
        // A decoder alone is a preview decoder, not a VAE (the other family has no encoder here).
        Assert.Equal("""[["tiny_vae.safetensors"],{}]""", VaeChoices());
        await ModelFiles.MakeTestTaesdAsync(engine, encoder, "encoder", 8, 2);
        Assert.Equal($$"""[["tiny_vae.safetensors","{{family}}"],{}]""", VaeChoices());

        // The KL VAE encodes, TAESD decodes: what VAEDecode gives depends on the latent scale.
        var graph = (JsonObject)JsonNode.Parse("""
            {
              "1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
              "2": {"class_type": "VAELoader", "inputs": {"vae_name": "FAMILY"}},
              "5": {"class_type": "VAELoader", "inputs": {"vae_name": "tiny_vae.safetensors"}},
              "3": {"class_type": "VAEEncode", "inputs": {"pixels": ["1", 0], "vae": ["5", 0]}},
              "4": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["2", 0]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "taesd", "images": ["4", 0]}}
            }
            """.Replace("FAMILY", family))!;
        var viaWorkflow = await RunAsync(folders, graph);

        var (photo, _) = ImageLoader.LoadImage(Path.Combine(folders.Input, "example.png"));
        using var kl = await VaeModel.LoadAsync(engine, Path.Combine(folders.Base, "models", "vae", "tiny_vae.safetensors"));
        var latent = await kl.EncodeAsync(photo);
        using var taesd = await TaesdDecoder.LoadAsync(engine, decoder);
        static float Worst(ImageBatch a, ImageBatch b) => a.Pixels.Data.Zip(b.Pixels.Data, (x, y) => MathF.Abs(x - y)).Max();
        // The family's latent scale (the saved PNG truncates to bytes); the other family's gives another image.
        Assert.True(Worst(viaWorkflow, await taesd.DecodeAsync(latent, scale)) <= 1f / 255f + 1e-6f);
        Assert.True(Worst(viaWorkflow, await taesd.DecodeAsync(latent, otherScale)) > 0.02f);
        // The TAESD VAE's own round trip runs through its encoder.
        using var taesdVae = await VaeModel.LoadTaesdAsync(engine, encoder, decoder, scale);
        var roundTrip = await taesdVae.DecodeAsync(await taesdVae.EncodeAsync(photo));
        Assert.Equal((photo.Width, photo.Height), (roundTrip.Width, roundTrip.Height));
    }

    [Fact]
    public async Task LoadersListComfysFolders()
    {
        using var folders = await SplitFolders();
        Directory.CreateDirectory(Path.Combine(folders.Base, "models", "clip"));
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "clip", "old_place.safetensors"), []);
        var info = ObjectInfo.Build(folders.Options.Folders());
        Assert.Equal("""[["prefixed_unet.safetensors","tiny_unet.safetensors"],{}]""", info["UNETLoader"]!["input"]!["required"]!["unet_name"]!.ToJsonString());
        Assert.Equal("""[["old_place.safetensors","tiny_clip_l.safetensors"],{}]""", info["CLIPLoader"]!["input"]!["required"]!["clip_name"]!.ToJsonString());
        Assert.Equal("""[["tiny_vae.safetensors"],{}]""", info["VAELoader"]!["input"]!["required"]!["vae_name"]!.ToJsonString());
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var missing = runner.Validate(Split(unet: "elsewhere.safetensors").ToJsonString(), folders.Options);
        Assert.False(missing.IsValid);
        Assert.Contains("elsewhere.safetensors", missing.ConsoleText());
    }

    [Theory]
    [InlineData("sd3", "default", "CLIPLoader type 'sd3' is not supported")]
    [InlineData("stable_diffusion", "fp8_e4m3fn", "UNETLoader weight_dtype 'fp8_e4m3fn' is not supported")]
    public async Task TypesTheEngineCannotRunAreRefusedByName(string clipType, string dtype, string message)
    {
        using var folders = await SplitFolders();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(folders, Split(clipType: clipType, dtype: dtype)));
        Assert.Contains(message, error.ToString());
    }

    [Fact]
    public async Task AFileWithoutTheComponentIsRefused()
    {
        using var folders = await SplitFolders();
        // The VAE file holds no UNet.
        File.Copy(Path.Combine(folders.Base, "models", "vae", "tiny_vae.safetensors"), Path.Combine(folders.Base, "models", "unet", "not_a_unet.safetensors"));
        var error = await Assert.ThrowsAnyAsync<Exception>(() => RunAsync(folders, Split(unet: "not_a_unet.safetensors")));
        Assert.Contains("no UNet", error.ToString());
    }
}
