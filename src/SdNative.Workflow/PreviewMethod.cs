namespace SdNative.Workflow;

/// <summary>Where sampler previews come from (ComfyUI's --preview-method, less "none", which is
/// <see cref="RunOptions.PreviewEvery"/> = 0).</summary>
public enum PreviewMethod
{
    /// <summary>TAESD when its decoder for the model's family is in models/vae_approx, else the
    /// latent→RGB projection. (ComfyUI's own "auto" now means latent2rgb; the server maps it so.)</summary>
    Auto,
    /// <summary>The latent→RGB projection: one pixel per latent pixel, nearly free.</summary>
    Latent2Rgb,
    /// <summary>TAESD; as in ComfyUI, the projection with a warning when the decoder file is missing.</summary>
    Taesd,
}
