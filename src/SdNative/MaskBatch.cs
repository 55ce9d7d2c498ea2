namespace SdNative;

/// <summary>ComfyUI's MASK: values [B, H, W], 1 = the area to change.</summary>
public sealed class MaskBatch
{
    public MaskBatch(Tensor4 values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values.Rank switch
        {
            3 => values,
            2 => values.Reshape(1, values.Dim(0), values.Dim(1)),
            _ => throw new ArgumentException($"A mask is [B, H, W] or [H, W], not {values}.", nameof(values)),
        };
    }

    /// <summary>A batch filled with one value.</summary>
    public MaskBatch(int batch, int height, int width, float fill = 0f)
        : this(new Tensor4([batch, height, width]))
    {
        if (fill != 0f)
        {
            Array.Fill(Values.Data, fill);
        }
    }

    public Tensor4 Values { get; }

    public int Batch => Values.Dim(0);
    public int Height => Values.Dim(1);
    public int Width => Values.Dim(2);

    public MaskBatch Clone() => new(Values.Clone());

    public override string ToString() => $"MASK[{Batch}, {Height}, {Width}]";
}
