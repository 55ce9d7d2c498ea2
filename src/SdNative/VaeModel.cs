using SdNative.Interop;
using SdNative.Interop.Handles;

namespace SdNative;

/// <summary>The VAE (ComfyUI's VAE), bound to the engine that loaded it.</summary>
public sealed class VaeModel : IDisposable
{
    private readonly SdnVaeHandle _handle;

    internal VaeModel(SdnEngine engine, SdnVaeHandle handle)
    {
        Engine = engine;
        _handle = handle;
    }

    public SdnEngine Engine { get; }

    /// <summary>VAELoader: a standalone VAE file (or the VAE of a full checkpoint).</summary>
    public static unsafe Task<VaeModel> LoadAsync(SdnEngine engine, string path, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(path);
        return engine.RunAsync($"Loading VAE '{path}'", (nint ctx, out VaeModel result) =>
        {
            nint v = 0;
            var status = NativeMethods.sdn_vae_load(ctx, path, &v);
            return Adopt(engine, status, v, out result);
        }, progress, cancellationToken);
    }

    /// <summary>VAELoader's "taesd" / "taesdxl": TAESD's encoder and decoder files as one VAE that
    /// takes and gives raw VAE latents, converted with latentScale (0.18215 for taesd, 0.13025 for
    /// taesdxl). Tiling is ignored for it (TAESD needs little memory).</summary>
    public static unsafe Task<VaeModel> LoadTaesdAsync(SdnEngine engine, string encoderPath, string decoderPath, float latentScale, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(encoderPath);
        ArgumentNullException.ThrowIfNull(decoderPath);
        return engine.RunAsync($"Loading TAESD VAE '{encoderPath}' + '{decoderPath}'", (nint ctx, out VaeModel result) =>
        {
            nint v = 0;
            var status = NativeMethods.sdn_vae_load_taesd(ctx, encoderPath, decoderPath, latentScale, &v);
            return Adopt(engine, status, v, out result);
        }, null, cancellationToken);
    }

    /// <summary>Takes ownership of what a load call returned: the model when it succeeded; the
    /// pointer (if any) is freed when it failed.</summary>
    private static SdnStatus Adopt(SdnEngine engine, SdnStatus status, nint pointer, out VaeModel result)
    {
        var handle = new SdnVaeHandle();
        if (pointer != 0)
        {
            handle.Adopt(pointer);
        }
        if (status != SdnStatus.Ok)
        {
            handle.Dispose();
            result = null!;
            return status;
        }
        result = new VaeModel(engine, handle);
        return SdnStatus.Ok;
    }

    /// <summary>VAEEncode (or VAEEncodeTiled with tiling): image [B, H, W, 3] in 0..1 →
    /// latent [B, 4, H/8, W/8] in raw VAE space. H and W are cropped to multiples of 8.</summary>
    public unsafe Task<Latent> EncodeAsync(ImageBatch image, VaeTiling? tiling = null, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgb = image.Channels == 3 ? image : ImageOps.DropAlpha(image);
        return Engine.RunAsync("VAE encoding", (nint ctx, out Latent result) =>
        {
            using var owned = new NativeTensorSet();
            using var vae = _handle.Use();
            nint input = owned.Add(rgb.Pixels);
            sdn_tiling_t t = Tiling(tiling);
            nint output = 0;
            var status = NativeMethods.sdn_vae_encode(ctx, vae.Pointer, input, &t, &output);
            Tensor4? samples = output == 0 ? null : NativeTensor.TakeOwnership(output);
            result = status == SdnStatus.Ok ? new Latent(samples!) : null!;
            return status;
        }, progress, cancellationToken);
    }

    /// <summary>VAEDecode (or VAEDecodeTiled): latent [B, 4, h, w] → image [B, 8h, 8w, 3] in 0..1.</summary>
    public unsafe Task<ImageBatch> DecodeAsync(Latent latent, VaeTiling? tiling = null, IProgress<GenerationProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(latent);
        return Engine.RunAsync("VAE decoding", (nint ctx, out ImageBatch result) =>
        {
            // Without a tiling the engine tiles by itself when the whole decode would not fit its
            // memory budget, so only a decode that does not fit even in the smallest tile is refused.
            var estimate = MemoryEstimate.For(latent.Batch, latent.Width * 8, latent.Height * 8, tiling ?? MemoryEstimate.SmallestAutomaticDecodeTile);
            estimate.EnsureFits("Decoding a latent", estimate.DecodeBytes, AvailableMemory.Read());
            using var owned = new NativeTensorSet();
            using var vae = _handle.Use();
            nint input = owned.Add(latent.Samples);
            sdn_tiling_t t = Tiling(tiling);
            nint output = 0;
            var status = NativeMethods.sdn_vae_decode(ctx, vae.Pointer, input, &t, &output);
            Tensor4? pixels = output == 0 ? null : NativeTensor.TakeOwnership(output);
            result = status == SdnStatus.Ok ? new ImageBatch(pixels!) : null!;
            return status;
        }, progress, cancellationToken);
    }

    private static unsafe sdn_tiling_t Tiling(VaeTiling? tiling)
    {
        sdn_tiling_t t;
        NativeMethods.sdn_tiling_init(&t);
        if (tiling is not null)
        {
            t.enabled = 1;
            t.tile_size = tiling.TileSize;
            t.overlap = tiling.Overlap;
        }
        return t;
    }

    public void Dispose() => _handle.Dispose();
}
