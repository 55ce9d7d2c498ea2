namespace SdNative;

/// <summary>The Stable Diffusion family a diffusion model belongs to.</summary>
public enum ModelArchitecture
{
    Unknown,
    Sd1,
    Sd2,
    Sdxl,
    SdxlRefiner,
}
