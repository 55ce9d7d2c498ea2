using System.Text.Json.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>/object_info in ComfyUI's shape (spec §3.7, values from §1).</summary>
public class ObjectInfoTests
{
    private static JsonObject Info(TestFolders folders) => ObjectInfo.Build(folders.Options.Folders());

    [Fact]
    public void EveryRequiredNodeIsDescribed()
    {
        using var folders = new TestFolders();
        var info = Info(folders);
        foreach (var name in new[]
        {
            "LoadImage", "CheckpointLoaderSimple", "VAEEncode", "VAEEncodeTiled", "CLIPTextEncode", "KSampler", "VAEDecode", "SaveImage",
            "ImageScale", "LatentUpscale", "RepeatLatentBatch", "LatentBlend", "EmptyLatentImage", "KSamplerAdvanced", "VAEDecodeTiled",
            "VAELoader", "CLIPSetLastLayer", "LoadImageMask", "PreviewImage", "ImageScaleBy", "ImageInvert", "ImageBlend", "LatentUpscaleBy",
            "LatentFromBatch", "LatentComposite", "ConditioningCombine", "ConditioningAverage", "ConditioningSetArea", "SetLatentNoiseMask",
            "VAEEncodeForInpaint",
        })
        {
            Assert.True(info.ContainsKey(name), name);
            Assert.Equal(name, info[name]!["name"]!.GetValue<string>());
        }
    }

    [Fact]
    public void KSamplerEntryHasComfyShapeAndValues()
    {
        using var folders = new TestFolders();
        var k = Info(folders)["KSampler"]!;
        Assert.Equal("""["INT",{"default":0,"min":0,"max":18446744073709551615,"control_after_generate":true}]""", k["input"]!["required"]!["seed"]!.ToJsonString());
        Assert.Equal("""["FLOAT",{"default":8.0,"min":0.0,"max":100.0,"step":0.1,"round":0.01}]""", k["input"]!["required"]!["cfg"]!.ToJsonString());
        Assert.Equal("""["MODEL"]""", k["input"]!["required"]!["model"]!.ToJsonString());
        var samplers = k["input"]!["required"]!["sampler_name"]![0]!.AsArray();
        Assert.Equal(44, samplers.Count);
        Assert.Equal("euler", samplers[0]!.GetValue<string>());
        Assert.DoesNotContain(samplers, s => s!.GetValue<string>().Contains(' '));
        Assert.Equal("""["simple","sgm_uniform","karras","exponential","ddim_uniform","beta","normal","linear_quadratic","kl_optimal"]""",
            k["input"]!["required"]!["scheduler"]![0]!.ToJsonString());
        Assert.Equal("""{"required":["model","seed","steps","cfg","sampler_name","scheduler","positive","negative","latent_image","denoise"]}""", k["input_order"]!.ToJsonString());
        Assert.Equal("""["LATENT"]""", k["output"]!.ToJsonString());
        Assert.Equal("""[false]""", k["output_is_list"]!.ToJsonString());
        Assert.Equal("sampling", k["category"]!.GetValue<string>());
        Assert.Equal("nodes", k["python_module"]!.GetValue<string>());
        Assert.False(k["output_node"]!.GetValue<bool>());
    }

    [Fact]
    public void DisplayNamesFollowComfy()
    {
        using var folders = new TestFolders();
        var info = Info(folders);
        Assert.Equal("KSampler (Advanced)", info["KSamplerAdvanced"]!["display_name"]!.GetValue<string>());
        Assert.Equal("Load Checkpoint", info["CheckpointLoaderSimple"]!["display_name"]!.GetValue<string>());
        Assert.Equal("CLIP Text Encode (Prompt)", info["CLIPTextEncode"]!["display_name"]!.GetValue<string>());
        Assert.Equal("Upscale Image", info["ImageScale"]!["display_name"]!.GetValue<string>());
        Assert.Equal("Upscale Latent", info["LatentUpscale"]!["display_name"]!.GetValue<string>());
    }

    [Fact]
    public void FileCombosListTheFoldersAndOutputNodesHaveHiddenInputs()
    {
        using var folders = new TestFolders();
        var info = Info(folders);
        Assert.Equal("""[["model.safetensors"],{}]""", info["CheckpointLoaderSimple"]!["input"]!["required"]!["ckpt_name"]!.ToJsonString());
        Assert.Equal("""[["example.png"],{"image_upload":true}]""", info["LoadImage"]!["input"]!["required"]!["image"]!.ToJsonString());
        var save = info["SaveImage"]!;
        Assert.True(save["output_node"]!.GetValue<bool>());
        Assert.Equal("""{"prompt":"PROMPT","extra_pnginfo":"EXTRA_PNGINFO"}""", save["input"]!["hidden"]!.ToJsonString());
        Assert.Equal("""["IMAGE","MASK"]""", info["LoadImage"]!["output"]!.ToJsonString());
    }

    [Fact]
    public void V3ComboUsesTheOptionsForm()
    {
        using var folders = new TestFolders();
        var blend = Info(folders)["ImageBlend"]!;
        Assert.Equal("""["COMBO",{"multiselect":false,"options":["normal","multiply","screen","overlay","soft_light","difference"]}]""",
            blend["input"]!["required"]!["blend_mode"]!.ToJsonString());
        Assert.Equal("comfy_extras.nodes_post_processing", blend["python_module"]!.GetValue<string>());
    }
}
