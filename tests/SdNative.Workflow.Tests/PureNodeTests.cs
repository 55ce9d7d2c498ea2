using SdNative.Workflow.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>Latent and conditioning nodes on small cases worked out by hand from spec §1.</summary>
public class PureNodeTests
{
    /// <summary>A latent whose item b holds the value b everywhere.</summary>
    private static Latent Items(int batch, int c = 1, int h = 2, int w = 2, IReadOnlyList<int>? index = null, Tensor4? mask = null)
    {
        var t = new Tensor4([batch, c, h, w]);
        for (int i = 0; i < t.Count; i++)
        {
            t.Data[i] = i / (c * h * w);
        }
        return new Latent(t, mask, index);
    }

    private static float[] ItemValues(Tensor4 t) =>
        Enumerable.Range(0, t.Dim(0)).Select(b => t.Data[b * (t.Count / t.Dim(0))]).ToArray();

    [Fact]
    public void EmptyLatentUsesFloorDivision()
    {
        var latent = LatentNodes.EmptyLatentImage(520, 64, 2);
        Assert.Equal([2, 4, 8, 65], latent.Samples.Shape);
        Assert.All(latent.Samples.Data, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void LatentFromBatchClampsAndRecordsBatchIndex()
    {
        var mask = new Tensor4([2, 1, 1, 1], [10f, 11f]);
        var result = LatentNodes.LatentFromBatch(Items(3, mask: mask), batchIndex: 1, length: 5);
        Assert.Equal([1f, 2f], ItemValues(result.Samples));
        Assert.Equal([1, 2], result.BatchIndex);
        // The 2-item mask is tiled to 3 ([10, 11, 10]) and then sliced.
        Assert.Equal([11f, 10f], result.NoiseMask!.Data);
        // An index past the end picks the last item.
        var last = LatentNodes.LatentFromBatch(Items(3), batchIndex: 63, length: 1);
        Assert.Equal([2f], ItemValues(last.Samples));
        Assert.Equal([2], last.BatchIndex);
    }

    [Fact]
    public void LatentFromBatchSlicesAnExistingBatchIndex()
    {
        var result = LatentNodes.LatentFromBatch(Items(3, index: [7, 8, 9]), 1, 2);
        Assert.Equal([8, 9], result.BatchIndex);
    }

    [Fact]
    public void RepeatLatentBatchTilesTheWholeBatch()
    {
        var result = LatentNodes.RepeatLatentBatch(Items(2, index: [2, 3], mask: new Tensor4([1, 1, 1, 1], [5f])), 3);
        Assert.Equal([0f, 1f, 0f, 1f, 0f, 1f], ItemValues(result.Samples));
        Assert.Equal([2, 3, 4, 5, 6, 7], result.BatchIndex);
        Assert.Equal([1, 1, 1, 1], result.NoiseMask!.Shape); // batch-1 masks are not repeated
    }

    [Fact]
    public void LatentBlendWeightsTheFirstInput()
    {
        var a = new Latent(new Tensor4([1, 1, 1, 2], [1f, 1f]));
        var b = new Latent(new Tensor4([1, 1, 1, 2], [3f, 3f]));
        var result = LatentNodes.LatentBlend(a, b, 0.25);
        Assert.Equal([2.5f, 2.5f], result.Samples.Data);
    }

    [Fact]
    public void LatentCompositePastesAndClips()
    {
        var to = new Latent(new Tensor4([1, 1, 4, 4]));
        var from = new Latent(new Tensor4([1, 1, 2, 2], [1f, 1f, 1f, 1f]));
        var pasted = LatentNodes.LatentComposite(to, from, 8, 8, 0);
        Assert.Equal(new float[]
        {
            0, 0, 0, 0,
            0, 1, 1, 0,
            0, 1, 1, 0,
            0, 0, 0, 0,
        }, pasted.Samples.Data);
        var clipped = LatentNodes.LatentComposite(to, from, 24, 24, 0);
        Assert.Equal(1f, clipped.Samples.Data[15]);
        Assert.Equal(1f, clipped.Samples.Data.Sum());
    }

    [Fact]
    public void LatentCompositeFeathersOnlyInnerEdges()
    {
        // from 3×3 at latent (1,1) in a 4×4: top and left edges are inside, so rows/columns
        // t = 0, 1 get (t+1)/2; bottom and right touch the border and stay at 1.
        var to = new Latent(new Tensor4([1, 1, 4, 4]));
        var from = new Latent(new Tensor4([1, 1, 3, 3], Enumerable.Repeat(1f, 9).ToArray()));
        var result = LatentNodes.LatentComposite(to, from, 8, 8, 16);
        Assert.Equal(new float[]
        {
            0, 0, 0, 0,
            0, 0.25f, 0.5f, 0.5f,
            0, 0.5f, 1, 1,
            0, 0.5f, 1, 1,
        }, result.Samples.Data);
    }

    [Fact]
    public void SetLatentNoiseMaskKeepsTheMaskResolution()
    {
        var result = LatentNodes.SetLatentNoiseMask(Items(2), new MaskBatch(2, 3, 5, 1f));
        Assert.Equal([2, 1, 3, 5], result.NoiseMask!.Shape);
    }

    [Fact]
    public void ConditioningAverageBlendsAndZeroPads()
    {
        var to = new Conditioning(new ConditioningEntry(new Tensor4([1, 2, 2], [1, 2, 3, 4]), new Tensor4([1, 2], [1, 1])));
        var from = new Conditioning(new ConditioningEntry(new Tensor4([1, 1, 2], [10, 20]), new Tensor4([1, 2], [5, 5])));
        var result = ConditioningNodes.Average(to, from, 0.25);
        Assert.Equal([7.75f, 15.5f, 0.75f, 1f], result[0].Tokens.Data);
        Assert.Equal([4f, 4f], result[0].Pooled!.Data);
    }

    [Fact]
    public void ConditioningAverageCopiesPooledWhenOnlyFromHasOne()
    {
        var to = new Conditioning(new ConditioningEntry(new Tensor4([1, 1, 1], [2])));
        var from = new Conditioning(new ConditioningEntry(new Tensor4([1, 1, 1], [4]), new Tensor4([1, 1], [9])));
        Assert.Equal([9f], ConditioningNodes.Average(to, from, 0.5)[0].Pooled!.Data);
    }

    [Fact]
    public void ConditioningCombineConcatenatesEntries()
    {
        var a = new Conditioning(new ConditioningEntry(new Tensor4([1, 1, 1], [1])));
        var b = new Conditioning(new ConditioningEntry(new Tensor4([1, 1, 1], [2])), new ConditioningEntry(new Tensor4([1, 1, 1], [3])));
        var result = ConditioningNodes.Combine(a, b);
        Assert.Equal([1f, 2f, 3f], result.Select(e => e.Tokens.Data[0]).ToArray());
    }

    [Fact]
    public void ConditioningSetAreaStoresLatentUnits()
    {
        var c = new Conditioning(new ConditioningEntry(new Tensor4([1, 1, 1], [1])));
        var result = ConditioningNodes.SetArea(c, width: 100, height: 64, x: 15, y: 9, strength: 0.5);
        Assert.Equal((8, 12, 1, 1), result[0].Area);
        Assert.Equal(0.5f, result[0].Strength);
    }

    private static (ImageBatch, MaskBatch) InpaintInput()
    {
        // 10×10 image of 0.8, mask with one set pixel at (5,5); the 8×8 crop starts at (1,1).
        var image = new ImageBatch(1, 10, 10);
        Array.Fill(image.Pixels.Data, 0.8f);
        var mask = new MaskBatch(1, 10, 10);
        mask.Values.Data[5 * 10 + 5] = 1f;
        return (image, mask);
    }

    [Fact]
    public void InpaintEncodingCropsAndGreysMaskedPixels()
    {
        var (image, mask) = InpaintInput();
        var (pixels, noiseMask) = InpaintEncoding.Prepare(image, mask, 0);
        Assert.Equal(8, pixels.Height);
        Assert.Equal(8, pixels.Width);
        Assert.Equal([1, 1, 8, 8], noiseMask.Shape);
        Assert.Equal(1f, noiseMask.Data.Sum());
        Assert.Equal(1f, noiseMask.Data[4 * 8 + 4]);
        Assert.Equal(0.5f, pixels.Pixels.Data[pixels.Index(0, 4, 4, 0)]);
        Assert.Equal(0.8f, pixels.Pixels.Data[pixels.Index(0, 4, 5, 0)]);
    }

    [Theory]
    [InlineData(3, new[] { 3, 4, 5 }, new[] { 3, 4, 5 })]
    [InlineData(2, new[] { 4, 5 }, new[] { 4, 5 })]
    public void InpaintEncodingGrowsTheMaskByABox(int grow, int[] rows, int[] cols)
    {
        var (image, mask) = InpaintInput();
        var (pixels, noiseMask) = InpaintEncoding.Prepare(image, mask, grow);
        for (int y = 0; y < 8; y++)
        {
            for (int x = 0; x < 8; x++)
            {
                Assert.Equal(rows.Contains(y) && cols.Contains(x) ? 1f : 0f, noiseMask.Data[y * 8 + x]);
            }
        }
        // Pixels are greyed by the un-grown mask only.
        Assert.Equal(0.8f, pixels.Pixels.Data[pixels.Index(0, 4, 5, 0)]);
    }
}
