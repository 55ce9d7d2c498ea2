using System.Text.Json.Nodes;
using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>The crop/flip/rotate/pad/filter and conditioning-option nodes as a pasted workflow
/// uses them: validated against their declared inputs, described in /object_info, and run end
/// to end on the tiny model.</summary>
public class NewNodeWorkflowTests
{
    private static readonly string[] NewNodes =
    [
        "ImagePadForOutpaint", "ConditioningSetMask", "ConditioningSetTimestepRange", "ConditioningZeroOut", "ImageCrop", "LatentCrop",
        "LatentFlip", "LatentRotate", "ImageSharpen", "ImageBlur", "UNETLoader", "CLIPLoader",
    ];

    /// <summary>example.png (64x64) padded right by 64 (128x64), cropped to 120x64 at x 8,
    /// blurred, sharpened, encoded (latent 8 high, 15 wide), rotated a quarter (15 high, 8 wide),
    /// flipped, cropped to 64x64 px at y 16 px (8x8 latent from row 2), sampled with a masked,
    /// range-limited positive and a zeroed negative, decoded (64x64).</summary>
    private static JsonObject Graph() => (JsonObject)JsonNode.Parse($$$"""
        {
          "1": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
          "2": {"class_type": "ImagePadForOutpaint", "inputs": {"image": ["1", 0], "left": 0, "top": 0, "right": 64, "bottom": 0, "feathering": 8}},
          "3": {"class_type": "ImageCrop", "inputs": {"image": ["2", 0], "width": 120, "height": 64, "x": 8, "y": 0}},
          "4": {"class_type": "ImageBlur", "inputs": {"image": ["3", 0], "blur_radius": 2, "sigma": 1.5}},
          "5": {"class_type": "ImageSharpen", "inputs": {"image": ["4", 0], "sharpen_radius": 1, "sigma": 1.0, "alpha": 0.5}},
          "6": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "{{{TinyModel.FileName}}}"}},
          "7": {"class_type": "VAEEncode", "inputs": {"pixels": ["5", 0], "vae": ["6", 2]}},
          "8": {"class_type": "LatentRotate", "inputs": {"samples": ["7", 0], "rotation": "90 degrees"}},
          "9": {"class_type": "LatentFlip", "inputs": {"samples": ["8", 0], "flip_method": "y-axis: horizontally"}},
          "10": {"class_type": "LatentCrop", "inputs": {"samples": ["9", 0], "width": 64, "height": 64, "x": 0, "y": 16}},
          "11": {"class_type": "CLIPTextEncode", "inputs": {"text": "a boat", "clip": ["6", 1]}},
          "12": {"class_type": "ConditioningSetMask", "inputs": {"conditioning": ["11", 0], "mask": ["2", 1], "strength": 0.8, "set_cond_area": "mask bounds"}},
          "13": {"class_type": "ConditioningSetTimestepRange", "inputs": {"conditioning": ["12", 0], "start": 0.0, "end": 0.8}},
          "14": {"class_type": "ConditioningZeroOut", "inputs": {"conditioning": ["11", 0]}},
          "15": {"class_type": "KSampler", "inputs": {"seed": 9, "steps": 2, "cfg": 6, "sampler_name": "euler", "scheduler": "normal", "denoise": 0.7,
                 "model": ["6", 0], "positive": ["13", 0], "negative": ["14", 0], "latent_image": ["10", 0]}},
          "16": {"class_type": "VAEDecode", "inputs": {"samples": ["15", 0], "vae": ["6", 2]}},
          "17": {"class_type": "SaveImage", "inputs": {"filename_prefix": "new", "images": ["16", 0]}},
          "18": {"class_type": "SaveImage", "inputs": {"filename_prefix": "padded", "images": ["3", 0]}}
        }
        """)!;

    [Fact]
    public async Task PastedWorkflowWithTheNewNodesRuns()
    {
        using var folders = new TestFolders();
        File.Delete(Path.Combine(folders.Input, "example.png"));
        ImageSaver.WriteExampleImage(Path.Combine(folders.Input, "example.png"), 64);
        await TinyModel.WriteAsync(Path.Combine(folders.Base, "models", "checkpoints", TinyModel.FileName));
        using var runner = new WorkflowRunner();
        var result = await runner.RunAsync(Graph().ToJsonString(), folders.Options with { TokenizerPath = TinyModel.Vocabulary(), Threads = 2 });
        var files = result.FilesWritten.ToDictionary(f => Path.GetFileName(f)[..Path.GetFileName(f).IndexOf('_')], f => ImageLoader.LoadImage(f).Image);
        Assert.Equal((64, 64), (files["new"].Width, files["new"].Height));
        var padded = files["padded"];
        Assert.Equal((120, 64), (padded.Width, padded.Height));
        // Columns from 56 on come from the grey padding (64 - 8 = 56): 0.5, saved in 8 bits.
        Assert.InRange(padded.Pixels.Data[padded.Index(0, 20, 100, 0)], 127f / 255f, 128f / 255f);
    }

    [Fact]
    public void OutOfRangeValuesFailValidationAsInComfy()
    {
        using var folders = new TestFolders();
        File.WriteAllBytes(Path.Combine(folders.Base, "models", "checkpoints", TinyModel.FileName), []);
        var graph = Graph();
        graph["4"]!["inputs"]!["blur_radius"] = 32;
        graph["13"]!["inputs"]!["end"] = 1.5;
        graph["9"]!["inputs"]!["flip_method"] = "diagonal";
        graph.Remove("18"); // its branch is valid and would run on its own
        using var runner = new WorkflowRunner(samplerSupported: _ => true);
        var result = runner.Validate(graph.ToJsonString(), folders.Options);
        Assert.False(result.IsValid);
        string text = result.ConsoleText();
        Assert.Contains("blur_radius", text);
        Assert.Contains("end", text);
        Assert.Contains("'diagonal' not in", text);
    }

    [Fact]
    public void ObjectInfoDescribesTheNewNodesWithComfysValues()
    {
        using var folders = new TestFolders();
        var info = ObjectInfo.Build(folders.Options.Folders());
        foreach (var name in NewNodes)
        {
            Assert.True(info.ContainsKey(name), name);
        }
        string Input(string node, string input) => info[node]!["input"]!["required"]![input]!.ToJsonString();
        Assert.Equal("""["INT",{"default":40,"min":0,"max":16384,"step":1}]""", Input("ImagePadForOutpaint", "feathering"));
        Assert.Equal("""["IMAGE","MASK"]""", info["ImagePadForOutpaint"]!["output"]!.ToJsonString());
        Assert.Equal("""[["default","mask bounds"],{}]""", Input("ConditioningSetMask", "set_cond_area"));
        Assert.Equal("""["FLOAT",{"default":1.0,"min":0.0,"max":1.0,"step":0.001}]""", Input("ConditioningSetTimestepRange", "end"));
        Assert.Equal("""["INT",{"default":512,"min":64,"max":16384,"step":8}]""", Input("LatentCrop", "width"));
        Assert.Equal("""[["none","90 degrees","180 degrees","270 degrees"],{}]""", Input("LatentRotate", "rotation"));
        Assert.Equal("""["INT",{"default":1,"min":1,"max":31,"step":1}]""", Input("ImageBlur", "blur_radius"));
        Assert.Equal("comfy_extras.nodes_post_processing", info["ImageSharpen"]!["python_module"]!.GetValue<string>());
        Assert.Equal("Load Diffusion Model", info["UNETLoader"]!["display_name"]!.GetValue<string>());
        Assert.Equal("""["default","cpu"]""", info["CLIPLoader"]!["input"]!["optional"]!["device"]![0]!.ToJsonString());
        Assert.Equal("stable_diffusion", info["CLIPLoader"]!["input"]!["required"]!["type"]![0]![0]!.GetValue<string>());
    }
}
