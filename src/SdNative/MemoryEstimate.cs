namespace SdNative;

/// <summary>
/// The memory a generation of <paramref name="Batch"/> images of Width x Height pixels needs at
/// its peak, estimated before anything is allocated so that a size this machine cannot hold
/// fails with a message instead of the kernel's OOM killer. The figures follow the engine's
/// SD1.x UNet and VAE with float32 activations; model weights are memory-mapped and not counted.
/// </summary>
/// <param name="LatentBytes">One latent batch [B, 4, H/8, W/8] in float32.</param>
/// <param name="SamplingBytes">The sampler's latent copies plus the UNet's activations.</param>
/// <param name="DecodeBytes">VAE decode: the image batch (native and managed) plus the decoder's
/// working set for one image, or for one tile when the decode is tiled.</param>
public sealed record MemoryEstimate(int Batch, int Width, int Height, long LatentBytes, long SamplingBytes, long DecodeBytes)
{
    private const long FloatBytes = 4;
    private const int LatentChannels = 4;
    private const int VaeScale = 8;

    /// <summary>Latent-sized float32 tensors alive while sampling: the input and its native copy,
    /// x, the denoised estimate, the initial noise, two steps of multistep history, the CFG
    /// sums and counts (2 + 2), the cond+uncond model input and its eps (2 + 2), the result
    /// and its managed copy.</summary>
    public const int SamplerLatentCopies = 17;

    /// <summary>Floats per latent position kept for the UNet's skip connections, per batch item:
    /// 3 x 320 channels at full latent size, (320 + 2 x 640) / 4, (640 + 2 x 1280) / 16 and
    /// 3 x 1280 / 64 at the lower levels.</summary>
    public const long UnetSkipFloats = 3 * 320 + (320 + 2 * 640) / 4 + (640 + 2 * 1280) / 16 + 3 * 1280 / 64;

    /// <summary>Floats per latent position of the largest block, an up block at full latent size:
    /// its concatenated 640-channel input and 320-channel output, the workspace slots
    /// (640 + 320 + 320), the GEGLU projection and its gated half (2 x 1280 + 1280), and the
    /// attention's q, k, v and output (4 x 320). Attention itself is flash-style: no
    /// tokens x tokens matrix.</summary>
    public const long UnetBlockFloats = 640 + 320 + (640 + 320 + 320) + (2 * 1280 + 1280) + 4 * 320;

    /// <summary>Floats per output pixel of the VAE decoder's largest step, the last up block's
    /// first resnet at full size: its upsampled 256-channel input, the group-normed copy, and
    /// the 128-channel convolution output.</summary>
    public const long VaeDecoderFloatsPerPixel = 256 + 256 + 128;

    /// <summary>The smallest tile (two latent cells) the engine falls back to when an untiled
    /// decode would not fit its memory budget: what an untiled decode needs at the least.</summary>
    public static readonly VaeTiling SmallestAutomaticDecodeTile = new(16, 0);

    /// <summary>The estimate for a run: sampling with classifier-free guidance (cond and uncond
    /// in one UNet batch) and a VAE decode, tiled with <paramref name="decodeTiling"/> when given.</summary>
    public static MemoryEstimate For(int batch, int width, int height, VaeTiling? decodeTiling = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        double positions = (double)(height / VaeScale) * (width / VaeScale);
        double latent = batch * LatentChannels * positions * FloatBytes;
        double unet = 2.0 * batch * (UnetSkipFloats + UnetBlockFloats) * positions * FloatBytes;
        double sampling = SamplerLatentCopies * latent + unet;

        double pixels = (double)(height / VaeScale * VaeScale) * (width / VaeScale * VaeScale);
        double images = 2.0 * batch * 3 * pixels * FloatBytes;
        double working;
        if (decodeTiling is null)
        {
            working = VaeDecoderFloatsPerPixel * pixels * FloatBytes;
        }
        else
        {
            // The largest tile has tile_size^2 pixels (tiles are t x t, 2t x t/2 and t/2 x 2t);
            // a tiled image also keeps its float32 sum and the tile pass's result (2 x 3 planes).
            double tile = Math.Min(pixels, (double)decodeTiling.TileSize * decodeTiling.TileSize);
            working = VaeDecoderFloatsPerPixel * tile * FloatBytes + 2.0 * 3 * pixels * FloatBytes;
        }
        double decode = latent + images + working;
        return new MemoryEstimate(batch, width, height, Saturate(latent), Saturate(sampling), Saturate(decode));
    }

    /// <summary>The most the run holds at once: sampling and decoding happen one after the other.</summary>
    public long PeakBytes => Math.Max(LatentBytes, Math.Max(SamplingBytes, DecodeBytes));

    /// <summary>Throws <see cref="SdnException"/> (<see cref="EngineStatus.OutOfMemory"/>) naming the
    /// size asked for and the memory available when <paramref name="needBytes"/> does not fit.</summary>
    public void EnsureFits(string what, long needBytes, AvailableMemory available)
    {
        ArgumentNullException.ThrowIfNull(available);
        if (needBytes <= available.Bytes)
        {
            return;
        }
        throw new SdnException(EngineStatus.OutOfMemory,
            $"{what} of {Width}x{Height}, batch {Batch} needs about {ByteSize.Format(needBytes)} "
            + $"(latent {ByteSize.Format(LatentBytes)}, sampling {ByteSize.Format(SamplingBytes)}, VAE decode {ByteSize.Format(DecodeBytes)}), "
            + $"but only {available} on this machine; use a smaller size or batch, or tiled VAE decoding.");
    }

    private static long Saturate(double bytes) => bytes >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(bytes);
}
