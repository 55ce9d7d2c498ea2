namespace SdNative;

/// <summary>SDXL's size conditioning as CLIPTextEncodeSDXL sets it, in pixels, used as given (0
/// included). Entries without one take the latent's size, no crop and targets equal to the
/// size, as ComfyUI does.</summary>
public sealed record SdxlSize(int Width, int Height, int CropW = 0, int CropH = 0, int TargetWidth = 0, int TargetHeight = 0);
