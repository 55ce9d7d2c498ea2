namespace SdNative;

/// <summary>What a diffusion model predicts (ComfyUI's model sampling type).</summary>
public enum ModelPrediction
{
    /// <summary>The model's own type, as detected from its file.</summary>
    Default,
    /// <summary>The noise (SD1.x, SD2.x 512, SDXL).</summary>
    Eps,
    /// <summary>The velocity (SD2.x 768-v, files with a v_pred key).</summary>
    V,
}
