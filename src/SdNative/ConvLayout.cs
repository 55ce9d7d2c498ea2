namespace SdNative;

/// <summary>How a quantized conversion stores UNet conv weights whose kernel rows (3 or 1 wide) are not
/// whole quantization blocks.</summary>
public enum ConvLayout
{
    /// <summary>Kept f16, as stable-diffusion.cpp's converter writes them (the default).</summary>
    F16,

    /// <summary>Quantized when their rows of C·kh·kw are whole blocks, stored as [O, C·kh·kw] with the
    /// 4-D shape in ComfyUI-GGUF's <c>comfy.gguf.orig_shape.*</c> record. On CPUs with AVX512-VNNI the
    /// integer products then run the convs: faster, but their activations are quantized too, which
    /// costs accuracy (docs/performance.md).</summary>
    Flattened,
}
