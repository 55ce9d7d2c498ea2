namespace SdNative.Workflow.Nodes;

/// <summary>The TAESD decoder a sampler node previews with, found as ComfyUI finds it: the first
/// file in models/vae_approx (sorted) whose name starts with taesd_decoder (SD1.x/SD2.x) or
/// taesdxl_decoder (SDXL).</summary>
internal static class SamplerPreviews
{
    public static string DecoderPrefix(ModelArchitecture architecture) =>
        architecture == ModelArchitecture.Sdxl ? "taesdxl_decoder" : "taesd_decoder";

    /// <summary>The decoder for this node's previews, or null for the latent→RGB projection
    /// (previews off, latent2rgb asked for, or no decoder file).</summary>
    public static async Task<TaesdDecoder?> DecoderAsync(NodeExecution e, DiffusionModel model)
    {
        var s = e.Services;
        if (s.Options.PreviewEvery <= 0 || s.Options.PreviewMethod == PreviewMethod.Latent2Rgb)
        {
            return null;
        }
        string prefix = DecoderPrefix(model.Architecture);
        string? name = s.Folders.List(ModelFolders.VaeApprox).FirstOrDefault(n => n.StartsWith(prefix, StringComparison.Ordinal));
        string? path = name is null ? null : s.Folders.Resolve(ModelFolders.VaeApprox, name);
        if (path is null)
        {
            if (s.Options.PreviewMethod == PreviewMethod.Taesd)
            {
                s.AddWarning($"node {e.NodeId}: TAESD previews asked for, but there is no {Path.Combine(s.Folders.FolderPath(ModelFolders.VaeApprox), prefix)}.*; previews use the latent→RGB projection");
            }
            return null;
        }
        var decoder = await TaesdDecoder.LoadAsync(s.Engine, path, s.Token).ConfigureAwait(false);
        e.Own(decoder);
        return decoder;
    }
}
