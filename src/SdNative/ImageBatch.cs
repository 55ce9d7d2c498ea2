namespace SdNative;

/// <summary>ComfyUI's IMAGE: pixels [B, H, W, C] with values in 0..1 (C is 3, or 4 with alpha).</summary>
public sealed class ImageBatch
{
    public ImageBatch(Tensor4 pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Rank != 4)
        {
            throw new ArgumentException($"An image batch is [B, H, W, C], not {pixels}.", nameof(pixels));
        }
        Pixels = pixels;
    }

    /// <summary>A zero-filled batch.</summary>
    public ImageBatch(int batch, int height, int width, int channels = 3)
        : this(new Tensor4([batch, height, width, channels]))
    {
    }

    public Tensor4 Pixels { get; }

    public int Batch => Pixels.Dim(0);
    public int Height => Pixels.Dim(1);
    public int Width => Pixels.Dim(2);
    public int Channels => Pixels.Dim(3);

    /// <summary>Index of channel c of pixel (y, x) of image b in <see cref="Tensor4.Data"/>.</summary>
    public long Index(int b, int y, int x, int c) => (((long)b * Height + y) * Width + x) * Channels + c;

    public ImageBatch Clone() => new(Pixels.Clone());

    public override string ToString() => $"IMAGE[{Batch}, {Height}, {Width}, {Channels}]";
}
