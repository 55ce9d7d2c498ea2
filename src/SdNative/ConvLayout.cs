namespace SdNative;

/// <summary>How a quantized conversion stores UNet conv weights whose kernel rows (3 or 1 wide) are not
/// whole quantization blocks.</summary>
public enum ConvLayout
{
    /// <summary>Quantized when their rows of C·kh·kw are whole blocks, stored as [O, C·kh·kw] with the
    /// 4-D shape in ComfyUI-GGUF's <c>comfy.gguf.orig_shape.*</c> record; the CPU's integer products
    /// then run them. What <see cref="ModelFiles.ConvertAsync(SdnEngine, string, string, string, string?, IProgress{GenerationProgress}?, CancellationToken)"/> writes.</summary>
    Flattened,

    /// <summary>Kept f16, as stable-diffusion.cpp's converter writes them, for readers that know no
    /// orig_shape record.</summary>
    F16,
}
