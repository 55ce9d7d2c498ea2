namespace SdNative;

/// <summary>
/// ComfyUI's LATENT: samples [B, 4, h, w] in raw VAE space (not multiplied by the scale factor),
/// an optional noise mask (where sampling may change the latent) and an optional batch_index
/// list (which noise of a larger batch each item gets).
/// </summary>
public sealed class Latent
{
    public Latent(Tensor4 samples, Tensor4? noiseMask = null, IReadOnlyList<int>? batchIndex = null)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Rank != 4)
        {
            throw new ArgumentException($"Latent samples are [B, C, h, w], not {samples}.", nameof(samples));
        }
        if (batchIndex is not null && batchIndex.Count != samples.Dim(0))
        {
            throw new ArgumentException($"batch_index has {batchIndex.Count} entries for a batch of {samples.Dim(0)}.", nameof(batchIndex));
        }
        Samples = samples;
        NoiseMask = noiseMask;
        BatchIndex = batchIndex?.ToArray();
    }

    /// <summary>An all-zero latent, as EmptyLatentImage makes for width x height pixels.</summary>
    public static Latent Empty(int width, int height, int batch = 1, int channels = 4) =>
        new(new Tensor4([batch, channels, height / 8, width / 8]));

    public Tensor4 Samples { get; }
    public Tensor4? NoiseMask { get; }
    public IReadOnlyList<int>? BatchIndex { get; }

    public int Batch => Samples.Dim(0);
    public int Channels => Samples.Dim(1);
    public int Height => Samples.Dim(2);
    public int Width => Samples.Dim(3);

    /// <summary>The same latent with other samples (noise mask and batch_index kept).</summary>
    public Latent WithSamples(Tensor4 samples) => new(samples, NoiseMask, BatchIndex);

    /// <summary>The same latent with a noise mask (null removes it).</summary>
    public Latent WithNoiseMask(Tensor4? noiseMask) => new(Samples, noiseMask, BatchIndex);

    /// <summary>The same latent with a batch_index list (null removes it).</summary>
    public Latent WithBatchIndex(IReadOnlyList<int>? batchIndex) => new(Samples, NoiseMask, batchIndex);

    /// <summary>Replaces whichever parts are given; the others are kept.</summary>
    public Latent With(Tensor4? samples = null, Tensor4? noiseMask = null, IReadOnlyList<int>? batchIndex = null) =>
        new(samples ?? Samples, noiseMask ?? NoiseMask, batchIndex ?? BatchIndex);

    public override string ToString() => $"LATENT[{Batch}, {Channels}, {Height}, {Width}]" + (NoiseMask is null ? "" : " +noise_mask");
}
