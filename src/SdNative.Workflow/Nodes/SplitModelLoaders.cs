namespace SdNative.Workflow.Nodes;

/// <summary>UNETLoader, CLIPLoader and DualCLIPLoader: components from files that hold only them
/// (ComfyUI's models/diffusion_models and models/text_encoders), with or without the
/// checkpoint's tensor-name prefixes. The engine reads the component's tensors and nothing else;
/// which text encoder a file holds is told from its tensor names (ClipModel.LoadFilesAsync).</summary>
internal static class SplitModelLoaders
{
    /// <summary>ComfyUI's UNETLoader weight_dtype choices.</summary>
    public static readonly IReadOnlyList<string> WeightDtypes = ["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"];

    /// <summary>ComfyUI's CLIPLoader type choices; only stable_diffusion (CLIP-L, OpenCLIP ViT-H or
    /// bigG, as the file holds) runs here.</summary>
    public static readonly IReadOnlyList<string> ClipTypes =
    [
        "stable_diffusion", "stable_cascade", "sd3", "stable_audio", "mochi", "ltxv", "pixart", "cosmos", "lumina2",
        "wan", "hidream", "chroma", "ace", "omnigen2", "qwen_image", "hunyuan_image", "flux2", "ovis",
    ];

    /// <summary>ComfyUI's DualCLIPLoader type choices; only sdxl (CLIP-L and bigG) runs here.</summary>
    public static readonly IReadOnlyList<string> DualClipTypes =
    [
        "sdxl", "sd3", "flux", "hunyuan_video", "hidream", "hunyuan_image", "hunyuan_video_15", "kandinsky5",
        "kandinsky5_image", "ltxv", "newbie", "ace",
    ];

    public static readonly IReadOnlyList<string> ClipDevices = ["default", "cpu"];

    public static async Task<object?[]> UnetLoader(NodeExecution e)
    {
        string dtype = e.Str("weight_dtype");
        if (dtype != "default")
        {
            throw new NotSupportedException($"UNETLoader weight_dtype '{dtype}' is not supported: this engine does not compute in fp8; use 'default' (the file's own types)");
        }
        string path = Resolve(e, ModelFolders.DiffusionModels, "unet_name", "diffusion model");
        var loaded = await Load(e, path, new CheckpointLoadOptions(LoadClip: false, LoadVae: false)).ConfigureAwait(false);
        return [loaded.Model];
    }

    public static Task<object?[]> ClipLoader(NodeExecution e)
    {
        string type = e.Str("type");
        if (type != "stable_diffusion")
        {
            throw new NotSupportedException($"CLIPLoader type '{type}' is not supported: only 'stable_diffusion' (a CLIP-L, OpenCLIP ViT-H or bigG text encoder, for SD 1.x, SD 2.x or the SDXL refiner) runs in this engine");
        }
        return LoadClip(e, type, Resolve(e, ModelFolders.TextEncoders, "clip_name", "text encoder"));
    }

    public static Task<object?[]> DualClipLoader(NodeExecution e)
    {
        string type = e.Str("type");
        if (type != "sdxl")
        {
            throw new NotSupportedException($"DualCLIPLoader type '{type}' is not supported: only 'sdxl' (a CLIP-L and an OpenCLIP bigG text encoder) runs in this engine");
        }
        return LoadClip(e, type,
            Resolve(e, ModelFolders.TextEncoders, "clip_name1", "text encoder"),
            Resolve(e, ModelFolders.TextEncoders, "clip_name2", "text encoder"));
    }

    private static async Task<object?[]> LoadClip(NodeExecution e, string type, params string[] paths)
    {
        var s = e.Services;
        var clip = await ClipModel.LoadFilesAsync(s.Engine, paths, type,
            new CheckpointLoadOptions(TokenizerPath: s.Options.TokenizerPath, ModelsDir: s.Folders.ModelsDir), s.Progress, s.Token).ConfigureAwait(false);
        e.Own(clip);
        return [new ClipRef(clip)];
    }

    private static string Resolve(NodeExecution e, string folder, string input, string what)
    {
        string name = e.Str(input);
        return e.Services.Folders.Resolve(folder, name) ?? throw new FileNotFoundException(
            $"{what} '{name}' is not in {string.Join(" or ", folder.Split('|').Select(dir => Path.Combine(e.Services.Folders.ModelsDir, dir)))}");
    }

    private static async Task<Checkpoint> Load(NodeExecution e, string path, CheckpointLoadOptions options)
    {
        var s = e.Services;
        var checkpoint = await Checkpoint.LoadAsync(s.Engine, path, options, s.Progress, s.Token).ConfigureAwait(false);
        e.Own(checkpoint);
        return checkpoint;
    }
}
