namespace SdNative;

/// <summary>
/// A dense float32 buffer with a row-major shape of rank 1 to 4: the managed twin of an
/// <c>sdn_tensor</c>. The shape is fixed; the data array is shared, so call <see cref="Clone"/>
/// before changing values that another object may also hold.
/// </summary>
public sealed class Tensor4
{
    private readonly int[] _shape;

    public Tensor4(int[] shape, float[]? data = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is < 1 or > 4)
        {
            throw new ArgumentException($"A tensor has 1 to 4 dimensions, not {shape.Length}.", nameof(shape));
        }
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Dimension {d} is negative.", nameof(shape));
            }
            count *= d;
        }
        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"A tensor of {count} values is larger than one array can hold.", nameof(shape));
        }
        if (data is not null && data.LongLength != count)
        {
            throw new ArgumentException($"Shape [{string.Join(", ", shape)}] holds {count} values, but {data.LongLength} were given.", nameof(data));
        }
        _shape = (int[])shape.Clone();
        Data = data ?? new float[count];
    }

    /// <summary>A copy of the shape, so callers cannot change it under the data.</summary>
    public int[] Shape => (int[])_shape.Clone();

    public float[] Data { get; }

    public int Rank => _shape.Length;

    public long Count => Data.LongLength;

    /// <summary>Size of one dimension without copying the shape.</summary>
    public int Dim(int axis) => _shape[axis];

    public Tensor4 Clone() => new(_shape, (float[])Data.Clone());

    /// <summary>The same values under another shape with the same element count.</summary>
    public Tensor4 Reshape(params int[] shape) => new(shape, Data);

    public override string ToString() => $"Tensor4[{string.Join(", ", _shape)}]";
}
