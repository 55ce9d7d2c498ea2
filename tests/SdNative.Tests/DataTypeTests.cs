namespace SdNative.Tests;

public class DataTypeTests
{
    [Fact]
    public void TensorChecksShapeAgainstData()
    {
        var t = new Tensor4([2, 3]);
        Assert.Equal(2, t.Rank);
        Assert.Equal(6, t.Count);
        Assert.Throws<ArgumentException>(() => new Tensor4([2, 3], new float[5]));
        Assert.Throws<ArgumentException>(() => new Tensor4([1, 1, 1, 1, 1]));
        var shape = t.Shape;
        shape[0] = 9;
        Assert.Equal(2, t.Shape[0]);
        var c = t.Clone();
        c.Data[0] = 1;
        Assert.Equal(0, t.Data[0]);
    }

    [Fact]
    public void LatentHelpersKeepTheOtherParts()
    {
        var latent = Latent.Empty(64, 48, batch: 2);
        Assert.Equal([2, 4, 6, 8], latent.Samples.Shape);
        var masked = latent.WithNoiseMask(new Tensor4([2, 6, 8])).WithBatchIndex([3, 4]);
        var replaced = masked.WithSamples(new Tensor4([2, 4, 6, 8]));
        Assert.NotNull(replaced.NoiseMask);
        Assert.Equal([3, 4], replaced.BatchIndex);
        Assert.Throws<ArgumentException>(() => latent.WithBatchIndex([1]));
    }

    [Fact]
    public void ConditioningIsAnImmutableList()
    {
        var entry = new ConditioningEntry(new Tensor4([1, 77, 8]));
        var a = new Conditioning(entry);
        var b = a.Concat(new Conditioning(entry with { Strength = 0.5f }));
        Assert.Single(a);
        Assert.Equal(2, b.Count);
        Assert.Equal(0.5f, b[1].Strength);
        var areas = b.Select(e => e with { Area = (8, 8, 0, 0) });
        Assert.All(areas, e => Assert.Equal((8, 8, 0, 0), e.Area));
        Assert.Null(b[0].Area);
    }

    [Fact]
    public void MaskAcceptsTwoDimensions()
    {
        var mask = new MaskBatch(new Tensor4([4, 5]));
        Assert.Equal((1, 4, 5), (mask.Batch, mask.Height, mask.Width));
    }
}
