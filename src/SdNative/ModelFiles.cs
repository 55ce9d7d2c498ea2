using System.Text;
using SdNative.Interop;

namespace SdNative;

/// <summary>File tools of the engine: tiny test models, conversion to GGUF, model descriptions.</summary>
public static class ModelFiles
{
    /// <summary>Writes a tiny random-weight SD1.x checkpoint (format from the extension:
    /// .safetensors or .gguf; weightType "f32", "f16", "q8_0", ...; null = f16).</summary>
    public static Task MakeTestModelAsync(SdnEngine engine, string path, string? weightType = null, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        return engine.RunAsync($"Writing test model '{path}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_make_test_model(ctx, path, weightType!, seed);
        }, null, cancellationToken);
    }

    /// <summary>Writes the tiny test model (as <see cref="MakeTestModelAsync(SdnEngine, string, string?, ulong, CancellationToken)"/>) as GGUF in another
    /// program's layout: "stable-diffusion.cpp" (its converter's whole checkpoint) or "comfyui-gguf"
    /// (ComfyUI-GGUF's UNet-only file, with its shape fix).</summary>
    public static Task MakeTestGgufAsync(SdnEngine engine, string path, string layout, string? weightType = null, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(layout);
        return engine.RunAsync($"Writing test GGUF '{path}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_make_test_gguf(ctx, path, weightType!, seed, layout);
        }, null, cancellationToken);
    }

    /// <summary>Writes a random-weight TAESD network (.safetensors, the released layout): part
    /// "decoder" (taesd_decoder) or "encoder" (taesd_encoder), <paramref name="width"/> channels
    /// (64 is the released width; 4..256), for tests.</summary>
    public static Task MakeTestTaesdAsync(SdnEngine engine, string path, string part = "decoder", int width = 64, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        return engine.RunAsync($"Writing test TAESD decoder '{path}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_make_test_taesd(ctx, path, part, width, seed);
        }, null, cancellationToken);
    }

    /// <summary>Writes a tiny random LoRA (kohya names, rank 4, alpha 2) for the models
    /// <see cref="MakeTestModelAsync(SdnEngine, string, string?, ulong, CancellationToken)"/> writes: every UNet attention layer and CLIP layer.</summary>
    public static Task MakeTestLoraAsync(SdnEngine engine, string path, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        return engine.RunAsync($"Writing test LoRA '{path}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_make_test_lora(ctx, path, seed);
        }, null, cancellationToken);
    }

    /// <summary>The tiny random LoRA for the test model of another architecture: SD1 as above, or
    /// SDXL base (every transformer block of its UNet, lora_te1_ on CLIP-L, lora_te2_ on bigG).</summary>
    public static Task MakeTestLoraAsync(SdnEngine engine, string path, ModelArchitecture architecture, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        var arch = architecture switch
        {
            ModelArchitecture.Sd1 => SdnArch.Sd1,
            ModelArchitecture.Sdxl => SdnArch.Sdxl,
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "test LoRAs exist for SD1 and SDXL base"),
        };
        return engine.RunAsync($"Writing test LoRA '{path}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_make_test_lora_arch(ctx, path, seed, (int)arch);
        }, null, cancellationToken);
    }

    /// <summary>A tiny random-weight checkpoint of another architecture (SD2.x, SDXL or the SDXL
    /// refiner) with its real tensor names, as <see cref="MakeTestModelAsync(SdnEngine, string, string?, ulong, CancellationToken)"/>.</summary>
    public static Task MakeTestModelAsync(SdnEngine engine, string path, ModelArchitecture architecture, string? weightType = null, ulong seed = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        var arch = architecture switch
        {
            ModelArchitecture.Sd1 => SdnArch.Sd1,
            ModelArchitecture.Sd2 => SdnArch.Sd2,
            ModelArchitecture.Sdxl => SdnArch.Sdxl,
            ModelArchitecture.SdxlRefiner => SdnArch.SdxlRefiner,
            _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, "no test model for this architecture"),
        };
        return engine.RunAsync($"Writing test model '{path}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_make_test_model_arch(ctx, path, weightType!, seed, (int)arch);
        }, null, cancellationToken);
    }

    /// <summary>Converts a checkpoint to GGUF with weights of weightType ("f16", "q8_0", "q4_K", ...);
    /// UNet convs as <see cref="ConvLayout.F16"/>.</summary>
    public static Task ConvertAsync(SdnEngine engine, string inputPath, string outputPath, string weightType, string? tokenizerPath = null, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default) =>
        ConvertAsync(engine, inputPath, outputPath, weightType, ConvLayout.F16, tokenizerPath, progress, cancellationToken);

    /// <summary>Converts a checkpoint to GGUF with weights of weightType, storing the UNet convs a
    /// quantized type cannot split by kernel rows as convLayout says.</summary>
    public static Task ConvertAsync(SdnEngine engine, string inputPath, string outputPath, string weightType, ConvLayout convLayout, string? tokenizerPath = null, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var layout = convLayout switch
        {
            ConvLayout.Flattened => "flattened",
            ConvLayout.F16 => "f16",
            _ => throw new ArgumentOutOfRangeException(nameof(convLayout), convLayout, "unknown conv layout"),
        };
        return engine.RunAsync($"Converting '{inputPath}'", (nint ctx, out bool done) =>
        {
            done = true;
            return NativeMethods.sdn_convert_with_conv_layout(ctx, inputPath, outputPath, weightType, tokenizerPath!, layout);
        }, progress, cancellationToken);
    }

    /// <summary>A JSON description of a model file (architecture, components, tensor types, missing tensors).</summary>
    public static unsafe Task<string> InfoJsonAsync(SdnEngine engine, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        return engine.RunAsync($"Reading '{path}'", (nint ctx, out string json) =>
        {
            json = string.Empty;
            long required = 0;
            var status = NativeMethods.sdn_model_info(ctx, path, null, 0, &required);
            if (status != SdnStatus.Ok)
            {
                return status;
            }
            var buffer = new byte[Math.Max(required, 1)];
            fixed (byte* b = buffer)
            {
                status = NativeMethods.sdn_model_info(ctx, path, b, buffer.Length, &required);
            }
            if (status == SdnStatus.Ok)
            {
                int length = Array.IndexOf(buffer, (byte)0);
                json = Encoding.UTF8.GetString(buffer, 0, length < 0 ? buffer.Length : length);
            }
            return status;
        }, null, cancellationToken);
    }
}
