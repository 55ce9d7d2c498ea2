using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>
/// A TAESD decoder (<c>taesd_decoder</c> for SD1.x/SD2.x, <c>taesdxl_decoder</c> for SDXL, from
/// ComfyUI's <c>models/vae_approx</c>): a small approximate VAE decoder (about 1.2 million weights)
/// for live previews. Give it to <see cref="SamplerSettings.PreviewDecoder"/> and the sampler's
/// previews (<see cref="GenerationProgress.Preview"/>) are its images, 8x the latent's size up to
/// 512 pixels, instead of the latent→RGB projection. Bound to the engine that loaded it.
/// </summary>
public sealed class TaesdDecoder : IDisposable
{
    /// <summary>The latent scale of SD1.x and SD2.x (raw VAE latent → diffusion model space).</summary>
    public const float Sd1LatentScale = 0.18215f;
    /// <summary>The latent scale of SDXL.</summary>
    public const float SdxlLatentScale = 0.13025f;

    private readonly SdnTaesdHandle _handle;

    private TaesdDecoder(SdnEngine engine, SdnTaesdHandle handle, string path)
    {
        Engine = engine;
        _handle = handle;
        Path = path;
    }

    public SdnEngine Engine { get; }

    /// <summary>The file it was loaded from.</summary>
    public string Path { get; }

    /// <summary>Loads a TAESD decoder file (.safetensors or .gguf), or the decoder of a combined
    /// TAESD file (tensors under <c>taesd_decoder.</c>).</summary>
    public static unsafe Task<TaesdDecoder> LoadAsync(SdnEngine engine, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        return engine.RunAsync($"Loading TAESD decoder '{path}'", (nint ctx, out TaesdDecoder result) =>
        {
            var handle = new SdnTaesdHandle();
            nint t = 0;
            var status = NativeMethods.sdn_taesd_load(ctx, path, &t);
            if (t != 0)
            {
                handle.Adopt(t);
            }
            if (status != SdnStatus.Ok)
            {
                handle.Dispose();
                result = null!;
                return status;
            }
            result = new TaesdDecoder(engine, handle, path);
            return SdnStatus.Ok;
        }, null, cancellationToken);
    }

    /// <summary>The latent scale a model of this architecture samples in.</summary>
    public static float LatentScaleOf(ModelArchitecture architecture) =>
        architecture == ModelArchitecture.Sdxl ? SdxlLatentScale : Sd1LatentScale;

    /// <summary>Decodes a latent in raw VAE space (as LATENT carries it) of a model with the given
    /// latent scale: [B, 4, h, w] → image [B, 8h, 8w, 3] in 0..1.</summary>
    public unsafe Task<ImageBatch> DecodeAsync(Latent latent, float latentScale = Sd1LatentScale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(latent);
        return Engine.RunAsync("TAESD decoding", (nint ctx, out ImageBatch result) =>
        {
            using var owned = new NativeTensorSet();
            using var taesd = _handle.Use();
            nint input = owned.Add(latent.Samples);
            nint output = 0;
            var status = NativeMethods.sdn_taesd_decode(ctx, taesd.Pointer, input, latentScale, &output);
            Tensor4? pixels = output == 0 ? null : NativeTensor.TakeOwnership(output);
            result = status == SdnStatus.Ok ? new ImageBatch(pixels!) : null!;
            return status;
        }, null, cancellationToken);
    }

    /// <summary>Holds the native decoder for the length of a native call.</summary>
    internal SdnHandle.Lease Use() => _handle.Use();

    public void Dispose() => _handle.Dispose();
}
