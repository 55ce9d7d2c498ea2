namespace SdNative.Workflow.Nodes;

/// <summary>LoraLoader and LoraLoaderModelOnly: the LoRA from models/loras applied to the model
/// (strength_model) and CLIP (strength_clip) as ComfyUI's load_lora_for_models does; the input
/// model and CLIP stay unpatched for every other node that uses them.</summary>
internal static class LoraNodes
{
    public static async Task<object?[]> LoraLoader(NodeExecution e)
    {
        var model = e.Optional<DiffusionModel>("model");
        var clip = e.Optional<ClipRef>("clip");
        float strengthModel = (float)e.Float("strength_model"), strengthClip = (float)e.Float("strength_clip");
        if (strengthModel == 0 && strengthClip == 0)
        {
            return [model, clip];  // ComfyUI returns its inputs and reads no file
        }
        var applied = await Apply(e, model, clip?.Model, strengthModel, strengthClip).ConfigureAwait(false);
        return [applied.Model, applied.Clip is null ? null : new ClipRef(applied.Clip, clip!.StopAtLayer)];
    }

    public static async Task<object?[]> LoraLoaderModelOnly(NodeExecution e)
    {
        var model = e.Optional<DiffusionModel>("model");
        float strength = (float)e.Float("strength_model");
        if (strength == 0)
        {
            return [model];
        }
        return [(await Apply(e, model, null, strength, 0f).ConfigureAwait(false)).Model];
    }

    private static async Task<LoraResult> Apply(NodeExecution e, DiffusionModel? model, ClipModel? clip, float strengthModel, float strengthClip)
    {
        var s = e.Services;
        if (model is null && clip is null)
        {
            throw new InvalidOperationException("the model input is empty (the checkpoint has no diffusion model)");
        }
        string name = e.Str("lora_name");
        string path = s.Folders.Resolve(ModelFolders.Loras, name)
            ?? throw new FileNotFoundException($"LoRA '{name}' is not in {s.Folders.FolderPath(ModelFolders.Loras)}");
        var applied = await Lora.ApplyAsync(s.Engine, path, model, clip, strengthModel, strengthClip, progress: s.Progress, cancellationToken: s.Token).ConfigureAwait(false);
        if (applied.Model is not null) e.Own(applied.Model);
        if (applied.Clip is not null) e.Own(applied.Clip);
        return applied;
    }
}
