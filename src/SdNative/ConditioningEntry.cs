namespace SdNative;

/// <summary>
/// One entry of ComfyUI's CONDITIONING list: token embeddings [1, 77k, width] and the options
/// that nodes such as ConditioningSetArea, ConditioningSetMask and ConditioningSetTimestepRange add.
/// </summary>
/// <param name="Tokens">Cross-attention context [1, 77k, width].</param>
/// <param name="Pooled">Pooled output [1, width], when the text encoder gave one.</param>
/// <param name="Strength">Weight of this entry where it overlaps others.</param>
/// <param name="Area">Area in latent pixels (pixels / 8): height, width, y, x.</param>
/// <param name="Mask">Where the entry applies, at any resolution.</param>
/// <param name="StartPercent">Sampling progress (0..1) at which the entry starts to apply.</param>
/// <param name="EndPercent">Sampling progress (0..1) after which it stops.</param>
/// <param name="MaskStrength">ConditioningSetMask's strength: multiplies the mask (ComfyUI's
/// mask_strength, kept apart from <paramref name="Strength"/> as ComfyUI does).</param>
/// <param name="SetAreaToBounds">ConditioningSetMask's "mask bounds": the entry's area becomes the
/// bounding box of its mask at latent size.</param>
/// <param name="Size">SDXL size conditioning (CLIPTextEncodeSDXL / ...Refiner); null = from the latent.</param>
/// <param name="AestheticScore">The SDXL refiner's aesthetic score; null = 6, or 2.5 for a negative prompt.</param>
public sealed record ConditioningEntry(
    Tensor4 Tokens,
    Tensor4? Pooled = null,
    float Strength = 1f,
    (int H, int W, int Y, int X)? Area = null,
    MaskBatch? Mask = null,
    float StartPercent = 0f,
    float EndPercent = 1f,
    float MaskStrength = 1f,
    bool SetAreaToBounds = false,
    SdxlSize? Size = null,
    float? AestheticScore = null);
