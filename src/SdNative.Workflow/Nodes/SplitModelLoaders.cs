namespace SdNative.Workflow.Nodes;

/// <summary>UNETLoader and CLIPLoader: one component from a file that holds only it (ComfyUI's
/// models/diffusion_models and models/text_encoders), with or without the checkpoint's
/// tensor-name prefixes. The engine reads the component's tensors and nothing else.</summary>
internal static class SplitModelLoaders
{
    /// <summary>ComfyUI's UNETLoader weight_dtype choices.</summary>
    public static readonly IReadOnlyList<string> WeightDtypes = ["default", "fp8_e4m3fn", "fp8_e4m3fn_fast", "fp8_e5m2"];

    /// <summary>ComfyUI's CLIPLoader type choices; only stable_diffusion (CLIP-L) runs here.</summary>
    public static readonly IReadOnlyList<string> ClipTypes =
    [
        "stable_diffusion", "stable_cascade", "sd3", "stable_audio", "mochi", "ltxv", "pixart", "cosmos", "lumina2",
        "wan", "hidream", "chroma", "ace", "omnigen2", "qwen_image", "hunyuan_image", "flux2", "ovis",
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

    public static async Task<object?[]> ClipLoader(NodeExecution e)
    {
        string type = e.Str("type");
        if (type != "stable_diffusion")
        {
            throw new NotSupportedException($"CLIPLoader type '{type}' is not supported: only 'stable_diffusion' (the CLIP-L text encoder of SD 1.x) runs in this engine");
        }
        string path = Resolve(e, ModelFolders.TextEncoders, "clip_name", "text encoder");
        var loaded = await Load(e, path, new CheckpointLoadOptions(
            TokenizerPath: e.Services.Options.TokenizerPath, ModelsDir: e.Services.Folders.ModelsDir, LoadDiffusionModel: false, LoadVae: false)).ConfigureAwait(false);
        return [loaded.Clip is null ? null : new ClipRef(loaded.Clip)];
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
