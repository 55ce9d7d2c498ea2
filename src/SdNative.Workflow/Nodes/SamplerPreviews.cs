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
        var files = s.Folders.VaeApproxFiles(prefix);
        string? path = files.Count == 0 ? null : s.Folders.Resolve(ModelFolders.VaeApprox, files[0]);
        if (path is null)
        {
            if (s.Options.PreviewMethod == PreviewMethod.Taesd)
            {
                Fallback(e, $"there is no {Path.Combine(s.Folders.FolderPath(ModelFolders.VaeApprox), prefix)}.*");
            }
            return null;
        }
        // A preview decoder that cannot be read costs the previews, never the image.
        if (!ModelFolders.ReadableExtensions.Contains(Path.GetExtension(path).ToLowerInvariant()))
        {
            Fallback(e, $"{path} is a PyTorch file this engine does not read (use the .safetensors release)");
            return null;
        }
        try
        {
            var decoder = await TaesdDecoder.LoadAsync(s.Engine, path, s.Token).ConfigureAwait(false);
            e.Own(decoder);
            return decoder;
        }
        catch (SdnException ex)
        {
            Fallback(e, ex.Message);
            return null;
        }
    }

    private static void Fallback(NodeExecution e, string why) =>
        e.Services.AddWarning($"node {e.NodeId}: no TAESD previews: {why}; previews use the latent→RGB projection");
}
