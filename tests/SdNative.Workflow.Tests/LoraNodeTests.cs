using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>LoraLoader and LoraLoaderModelOnly on the tiny model and tiny LoRA: ComfyUI's inputs,
/// defaults and validation, lora_name listed from models/loras, a LoRA that changes the image,
/// zero strengths that change nothing, and one prompt using the checkpoint with and without
/// the LoRA side by side.</summary>
public class LoraNodeTests
{
    private const string LoraName = "styles/tiny_lora.safetensors";

    private static async Task<TestFolders> Folders()
    {
        var folders = new TestFolders();
        string models = Path.Combine(folders.Base, "models");
        await TinyModel.WriteAsync(Path.Combine(models, "checkpoints", TinyModel.FileName));
        string lora = Path.Combine(models, "loras", LoraName);
        Directory.CreateDirectory(Path.GetDirectoryName(lora)!);
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        await ModelFiles.MakeTestLoraAsync(engine, lora, 7);
        return folders;
    }

    /// <summary>txt2img on the tiny model; model and clip come from the links given, and a
    /// second sampler (node 13) can sample the plain checkpoint in the same prompt.</summary>
    private static JsonObject Graph(string loraNodes, string model, string clip, bool alsoPlain = false)
    {
        string plain = alsoPlain
            ? """
              "13": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 2, "cfg": 5, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                     "model": ["4", 0], "positive": ["16", 0], "negative": ["17", 0], "latent_image": ["5", 0]}},
              "16": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse", "clip": ["4", 1]}},
              "17": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
              "18": {"class_type": "VAEDecode", "inputs": {"samples": ["13", 0], "vae": ["4", 2]}},
              "19": {"class_type": "SaveImage", "inputs": {"filename_prefix": "plain", "images": ["18", 0]}},
              """
            : "";
        return (JsonObject)JsonNode.Parse($$$"""
            {
              "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{TinyModel.FileName}}}"}},
              {{{loraNodes}}}
              {{{plain}}}
              "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
              "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse", "clip": {{{clip}}} }},
              "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": {{{clip}}} }},
              "3": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 2, "cfg": 5, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                    "model": {{{model}}}, "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
              "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
              "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "lora", "images": ["8", 0]}}
            }
            """)!;
    }

    private static JsonObject Plain() => Graph("", """["4", 0]""", """["4", 1]""");

    private static JsonObject WithLora(double strengthModel, double strengthClip, bool alsoPlain = false) => Graph(
        $$$"""
        "11": {"class_type": "LoraLoader", "inputs": {"model": ["4", 0], "clip": ["4", 1], "lora_name": "{{{LoraName}}}",
               "strength_model": {{{strengthModel}}}, "strength_clip": {{{strengthClip}}}}},
        """,
        """["11", 0]""", """["11", 1]""", alsoPlain);

    private static JsonObject ModelOnly(double strength) => Graph(
        $$$"""
        "12": {"class_type": "LoraLoaderModelOnly", "inputs": {"model": ["4", 0], "lora_name": "{{{LoraName}}}", "strength_model": {{{strength}}}}},
        """,
        """["12", 0]""", """["4", 1]""");

    /// <summary>The images written, by file name prefix.</summary>
    private static async Task<Dictionary<string, float[]>> RunAsync(TestFolders folders, JsonObject graph)
    {
        foreach (var old in folders.OutputFiles())
        {
            File.Delete(old);
        }
        using var runner = new WorkflowRunner();
        var result = await runner.RunAsync(graph.ToJsonString(), folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 });
        return result.FilesWritten.ToDictionary(f => Path.GetFileName(f).Split('_')[0], f => ImageLoader.LoadImage(f).Image.Pixels.Data.ToArray());
    }

    [Fact]
    public void NodesHaveComfysInputsDefaultsAndListTheLoraFolder()
    {
        using var folders = new TestFolders();
        string loras = Path.Combine(folders.Base, "models", "loras");
        Directory.CreateDirectory(Path.Combine(loras, "styles"));
        File.WriteAllBytes(Path.Combine(loras, "styles", "b.safetensors"), []);
        File.WriteAllBytes(Path.Combine(loras, "a.safetensors"), []);
        File.WriteAllBytes(Path.Combine(loras, "notes.txt"), []);
        var info = ObjectInfo.Build(folders.Options.Folders());
        var lora = info["LoraLoader"]!;
        Assert.Equal("Load LoRA", lora["display_name"]!.GetValue<string>());
        Assert.Equal("loaders", lora["category"]!.GetValue<string>());
        Assert.Equal("""["MODEL","CLIP"]""", lora["output"]!.ToJsonString());
        var required = lora["input"]!["required"]!.AsObject();
        Assert.Equal(["model", "clip", "lora_name", "strength_model", "strength_clip"], required.Select(kv => kv.Key));
        Assert.Equal("""[["a.safetensors","styles/b.safetensors"],{"tooltip":"The name of the LoRA."}]""", required["lora_name"]!.ToJsonString());
        foreach (var strength in new[] { "strength_model", "strength_clip" })
        {
            var o = required[strength]![1]!;
            Assert.Equal("FLOAT", required[strength]![0]!.GetValue<string>());
            Assert.Equal(1.0, o["default"]!.GetValue<double>());
            Assert.Equal(-100.0, o["min"]!.GetValue<double>());
            Assert.Equal(100.0, o["max"]!.GetValue<double>());
            Assert.Equal(0.01, o["step"]!.GetValue<double>());
        }
        var modelOnly = info["LoraLoaderModelOnly"]!;
        Assert.Equal("""["MODEL"]""", modelOnly["output"]!.ToJsonString());
        Assert.Equal(["model", "lora_name", "strength_model"], modelOnly["input"]!["required"]!.AsObject().Select(kv => kv.Key));
    }

    [Fact]
    public async Task ValidationRefusesAnUnknownLoraAndAStrengthOutOfRange()
    {
        using var folders = await Folders();
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var graph = WithLora(1, 1);
        graph["11"]!["inputs"]!["lora_name"] = "missing.safetensors";
        var missing = runner.Validate(graph.ToJsonString(), folders.Options);
        Assert.False(missing.IsValid);
        Assert.Equal("value_not_in_list", missing.NodeErrors["11"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.Contains("missing.safetensors", missing.ConsoleText());

        var tooStrong = runner.Validate(WithLora(100.5, 1).ToJsonString(), folders.Options);
        Assert.False(tooStrong.IsValid);
        Assert.Equal("value_bigger_than_max", tooStrong.NodeErrors["11"]!["errors"]![0]!["type"]!.GetValue<string>());
        Assert.True(runner.Validate(WithLora(-100, 0.5).ToJsonString(), folders.Options).IsValid);
    }

    [Fact]
    public async Task TheLoraChangesTheImageAndZeroStrengthsChangeNothing()
    {
        using var folders = await Folders();
        var plain = (await RunAsync(folders, Plain()))["lora"];
        var lora = (await RunAsync(folders, WithLora(1, 1)))["lora"];
        Assert.NotEqual(plain, lora);
        Assert.Equal(plain, (await RunAsync(folders, WithLora(0, 0)))["lora"]);
        // The model half alone, through either node, is one image; the CLIP half changes it again.
        var modelHalf = (await RunAsync(folders, WithLora(1, 0)))["lora"];
        Assert.Equal(modelHalf, (await RunAsync(folders, ModelOnly(1)))["lora"]);
        Assert.NotEqual(plain, modelHalf);
        Assert.NotEqual(lora, modelHalf);
    }

    [Fact]
    public async Task OnePromptSamplesTheCheckpointWithAndWithoutTheLora()
    {
        using var folders = await Folders();
        var plain = (await RunAsync(folders, Plain()))["lora"];
        var lora = (await RunAsync(folders, WithLora(0.8, 0.8)))["lora"];
        var both = await RunAsync(folders, WithLora(0.8, 0.8, alsoPlain: true));
        Assert.Equal(plain, both["plain"]);
        Assert.Equal(lora, both["lora"]);
    }

    [Fact]
    public async Task SplitLoadersTakeTheLoraAsTheCheckpointDoes()
    {
        using var folders = await Folders();
        string models = Path.Combine(folders.Base, "models");
        string combined = Path.Combine(models, "checkpoints", TinyModel.FileName);
        Directory.CreateDirectory(Path.Combine(models, "unet"));
        Directory.CreateDirectory(Path.Combine(models, "text_encoders"));
        // Bare UNet names and the transformers text_model.* names: the LoRA maps by the names
        // each file has.
        SafetensorsSplitter.Extract(combined, Path.Combine(models, "unet", "tiny_unet.safetensors"), "model.diffusion_model.", "");
        SafetensorsSplitter.Extract(combined, Path.Combine(models, "text_encoders", "tiny_clip.safetensors"), "cond_stage_model.transformer.text_model.", "text_model.");
        var fromCheckpoint = (await RunAsync(folders, WithLora(0.9, 1.1)))["lora"];
        var split = Graph(
            """
            "10": {"class_type": "UNETLoader", "inputs": {"unet_name": "tiny_unet.safetensors", "weight_dtype": "default"}},
            "14": {"class_type": "CLIPLoader", "inputs": {"clip_name": "tiny_clip.safetensors", "type": "stable_diffusion"}},
            "11": {"class_type": "LoraLoader", "inputs": {"model": ["10", 0], "clip": ["14", 0], "lora_name": "styles/tiny_lora.safetensors",
                   "strength_model": 0.9, "strength_clip": 1.1}},
            """,
            """["11", 0]""", """["11", 1]""");
        Assert.Equal(fromCheckpoint, (await RunAsync(folders, split))["lora"]);
    }
}
