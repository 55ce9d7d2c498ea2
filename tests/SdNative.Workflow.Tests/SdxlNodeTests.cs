using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>CLIPTextEncodeSDXL, CLIPTextEncodeSDXLRefiner and ModelSamplingDiscrete as a pasted
/// workflow uses them, on tiny SDXL checkpoints from the engine's writer: ComfyUI's inputs and
/// defaults, and each input reaching the sampled image (size conditioning, prediction type).</summary>
public class SdxlNodeTests
{
    private const string XlFile = "tiny-sdxl.safetensors";
    private const string RefinerFile = "tiny-sdxl-refiner.safetensors";

    /// <summary>txt2img at 64x64, two euler steps; the positive through CLIPTextEncodeSDXL
    /// (size 1024 unless changed), the negative through plain CLIPTextEncode (size from the latent).</summary>
    private static JsonObject Graph(string sampling = "eps", int width = 1024) => (JsonObject)JsonNode.Parse($$$"""
        {
          "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{XlFile}}}"}},
          "2": {"class_type": "ModelSamplingDiscrete", "inputs": {"model": ["1", 0], "sampling": "{{{sampling}}}", "zsnr": false}},
          "3": {"class_type": "CLIPTextEncodeSDXL", "inputs": {"clip": ["1", 1], "width": {{{width}}}, "height": 1024, "crop_w": 0, "crop_h": 0,
                "target_width": 1024, "target_height": 1024, "text_g": "a lighthouse at dusk", "text_l": "oil painting"}},
          "4": {"class_type": "CLIPTextEncode", "inputs": {"clip": ["1", 1], "text": "blurry"}},
          "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
          "6": {"class_type": "KSampler", "inputs": {"seed": 3, "steps": 2, "cfg": 5, "sampler_name": "euler", "scheduler": "normal", "denoise": 1,
                "model": ["2", 0], "positive": ["3", 0], "negative": ["4", 0], "latent_image": ["5", 0]}},
          "7": {"class_type": "VAEDecode", "inputs": {"samples": ["6", 0], "vae": ["1", 2]}},
          "8": {"class_type": "SaveImage", "inputs": {"filename_prefix": "xl", "images": ["7", 0]}}
        }
        """)!;

    private static async Task<float[]> Run(TestFolders folders, JsonObject graph)
    {
        using var runner = new WorkflowRunner();
        var result = await runner.RunAsync(graph.ToJsonString(), folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 });
        var image = ImageLoader.LoadImage(Assert.Single(result.FilesWritten)).Image;
        Assert.Equal((64, 64), (image.Width, image.Height));
        foreach (var f in result.FilesWritten)
        {
            File.Delete(f);
        }
        return image.Pixels.Data.ToArray();
    }

    private static async Task WriteModels(TestFolders folders)
    {
        using var engine = new SdnEngine(new SdnEngineOptions(Threads: 2));
        string dir = Path.Combine(folders.Base, "models", "checkpoints");
        await ModelFiles.MakeTestModelAsync(engine, Path.Combine(dir, XlFile), ModelArchitecture.Sdxl, "f32", 21);
        await ModelFiles.MakeTestModelAsync(engine, Path.Combine(dir, RefinerFile), ModelArchitecture.SdxlRefiner, "f32", 22);
    }

    [Fact]
    public async Task SdxlWorkflowRunsAndItsSizeAndPredictionInputsReachTheImage()
    {
        using var folders = new TestFolders();
        await WriteModels(folders);
        var baseline = await Run(folders, Graph());
        Assert.Equal(baseline, await Run(folders, Graph()));
        Assert.NotEqual(baseline, await Run(folders, Graph(width: 512)));
        Assert.NotEqual(baseline, await Run(folders, Graph(sampling: "v_prediction")));
    }

    [Fact]
    public async Task RefinerEncodeCarriesTheAestheticScore()
    {
        using var folders = new TestFolders();
        await WriteModels(folders);
        JsonObject Refiner(double ascore)
        {
            var g = Graph();
            g["1"]!["inputs"]!["ckpt_name"] = RefinerFile;
            g["3"] = JsonNode.Parse($$$"""{"class_type": "CLIPTextEncodeSDXLRefiner", "inputs": {"clip": ["1", 1], "ascore": {{{ascore}}}, "width": 1024, "height": 1024, "text": "a lighthouse"}}""");
            return g;
        }
        var six = await Run(folders, Refiner(6.0));
        Assert.NotEqual(six, await Run(folders, Refiner(2.5)));
    }

    [Fact]
    public void NodesDeclareComfysInputsAndDefaults()
    {
        var xl = NodeCatalog.Find("CLIPTextEncodeSDXL")!;
        Assert.Equal(["clip", "width", "height", "crop_w", "crop_h", "target_width", "target_height", "text_g", "text_l"], xl.Required.Select(i => i.Name));
        Assert.Equal(1024, (int)xl.Required[1].Options["default"]!);
        Assert.Equal(0, (int)xl.Required[3].Options["default"]!);
        var refiner = NodeCatalog.Find("CLIPTextEncodeSDXLRefiner")!;
        Assert.Equal(["ascore", "width", "height", "text", "clip"], refiner.Required.Select(i => i.Name));
        Assert.Equal(6.0, (double)refiner.Required[0].Options["default"]!);
        var sampling = NodeCatalog.Find("ModelSamplingDiscrete")!;
        Assert.Equal(["eps", "v_prediction", "lcm", "x0"], sampling.Required[1].Choices!);
        Assert.Equal(["MODEL"], sampling.Outputs);
    }

    [Fact]
    public async Task UnsupportedSamplingIsRefusedByName()
    {
        using var folders = new TestFolders();
        await WriteModels(folders);
        using var runner = new WorkflowRunner();
        var ex = await Assert.ThrowsAnyAsync<Exception>(() => runner.RunAsync(Graph(sampling: "lcm").ToJsonString(),
            folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 }));
        Assert.Contains("lcm", ex.ToString());
    }
}
