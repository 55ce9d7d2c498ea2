using SdNative.Imaging;

namespace SdNative.Workflow.Nodes;

/// <summary>ComfyUI's latent nodes (nodes.py), in managed code: LATENT is Samples [B,C,h,w]
/// plus the optional noise mask and batch_index.</summary>
public static class LatentNodes
{
    public static Latent EmptyLatentImage(int width, int height, int batchSize) =>
        new(new Tensor4([batchSize, 4, height / 8, width / 8]));

    /// <summary>Slices [batch_index, batch_index+length) after clamping both to the batch.</summary>
    public static Latent LatentFromBatch(Latent latent, int batchIndex, int length)
    {
        int b = latent.Batch;
        batchIndex = Math.Min(b - 1, batchIndex);
        length = Math.Min(b - batchIndex, length);
        var samples = SliceBatch(latent.Samples, batchIndex, length);
        Tensor4? mask = latent.NoiseMask;
        if (mask is not null && mask.Dim(0) != 1)
        {
            // A shorter mask batch is tiled up to the latent batch first.
            if (mask.Dim(0) < b)
            {
                mask = RepeatBatchTo(mask, b);
            }
            mask = SliceBatch(mask, batchIndex, length);
        }
        IReadOnlyList<int> index = latent.BatchIndex is { } old
            ? old.Skip(batchIndex).Take(length).ToList()
            : Enumerable.Range(batchIndex, length).ToList();
        return new Latent(samples, mask, index);
    }

    /// <summary>Tiles the whole batch amount times: [a,b] → [a,b,a,b].</summary>
    public static Latent RepeatLatentBatch(Latent latent, int amount)
    {
        var samples = Repeat(latent.Samples, amount);
        Tensor4? mask = latent.NoiseMask;
        if (mask is not null && mask.Dim(0) > 1)
        {
            mask = Repeat(mask, amount);
        }
        IReadOnlyList<int>? index = null;
        if (latent.BatchIndex is { Count: > 0 } old)
        {
            int offset = old.Max() - old.Min() + 1;
            var list = new List<int>(old);
            for (int i = 1; i < amount; i++)
            {
                list.AddRange(old.Select(x => x + i * offset));
            }
            index = list;
        }
        else if (latent.BatchIndex is not null)
        {
            index = latent.BatchIndex;
        }
        return new Latent(samples, mask, index);
    }

    /// <summary>samples1*f + samples2*(1-f) (the opposite of ImageBlend); samples2 is first
    /// resized to samples1 (bicubic, center crop) when the shapes differ.</summary>
    public static Latent LatentBlend(Latent samples1, Latent samples2, double blendFactor)
    {
        var a = samples1.Samples;
        var b = samples2.Samples;
        if (!a.Shape.SequenceEqual(b.Shape))
        {
            b = Upscale.Common(b, a.Dim(3), a.Dim(2), "bicubic", "center");
        }
        var result = new Tensor4(a.Shape);
        int perItemB = b.Dim(1) * b.Dim(2) * b.Dim(3);
        for (long i = 0; i < result.Count; i++)
        {
            // b may have another batch size; torch broadcasting only allows 1.
            long j = b.Dim(0) == a.Dim(0) ? i : i % perItemB;
            result.Data[i] = (float)(a.Data[i] * blendFactor + b.Data[j] * (1 - blendFactor));
        }
        return samples1.WithSamples(result);
    }

    /// <summary>Pastes samples_from at (x, y)/8, clipped to the destination; feather/8 latent
    /// pixels fade in linearly on edges that are not on the destination's border.</summary>
    public static Latent LatentComposite(Latent samplesTo, Latent samplesFrom, int x, int y, int feather)
    {
        x /= 8;
        y /= 8;
        feather /= 8;
        var to = samplesTo.Samples;
        var from = samplesFrom.Samples;
        var s = to.Clone();
        int bT = to.Dim(0), c = to.Dim(1), hT = to.Dim(2), wT = to.Dim(3);
        int bF = from.Dim(0), hF = from.Dim(2), wF = from.Dim(3);
        // from[:, :, :hT - y, :wT - x]: the part that fits.
        int h = Math.Max(0, Math.Min(hF, hT - y));
        int w = Math.Max(0, Math.Min(wF, wT - x));
        var mask = new double[h * w];
        Array.Fill(mask, 1.0);
        if (feather > 0)
        {
            for (int t = 0; t < feather; t++)
            {
                double ratio = 1.0 / feather * (t + 1);
                for (int i = 0; i < h; i++)
                {
                    for (int j = 0; j < w; j++)
                    {
                        double m = 1;
                        if (y != 0 && i == t) m *= ratio;
                        if (y + h < hT && i == h - 1 - t) m *= ratio;
                        if (x != 0 && j == t) m *= ratio;
                        if (x + w < wT && j == w - 1 - t) m *= ratio;
                        mask[i * w + j] *= m;
                    }
                }
            }
        }
        for (int b = 0; b < bT; b++)
        {
            int bf = bF == bT ? b : b % bF;
            for (int ch = 0; ch < c; ch++)
            {
                for (int i = 0; i < h; i++)
                {
                    for (int j = 0; j < w; j++)
                    {
                        long dst = (((long)b * c + ch) * hT + (y + i)) * wT + (x + j);
                        long src = (((long)bf * c + ch) * hF + i) * wF + j;
                        double m = mask[i * w + j];
                        s.Data[dst] = feather == 0
                            ? from.Data[src]
                            : (float)(from.Data[src] * m + s.Data[dst] * (1 - m));
                    }
                }
            }
        }
        return samplesTo.WithSamples(s);
    }

    /// <summary>noise_mask = mask reshaped to [B, 1, H, W], at the mask's own resolution.</summary>
    public static Latent SetLatentNoiseMask(Latent latent, MaskBatch mask) =>
        latent.WithNoiseMask(mask.Values.Reshape(mask.Batch, 1, mask.Height, mask.Width));

    public static Tensor4 SliceBatch(Tensor4 t, int start, int length)
    {
        var shape = t.Shape;
        long per = t.Count / shape[0];
        shape[0] = length;
        var result = new Tensor4(shape);
        Array.Copy(t.Data, start * per, result.Data, 0, length * per);
        return result;
    }

    public static Tensor4 Repeat(Tensor4 t, int amount)
    {
        var shape = t.Shape;
        shape[0] *= amount;
        var result = new Tensor4(shape);
        for (int i = 0; i < amount; i++)
        {
            Array.Copy(t.Data, 0, result.Data, i * t.Count, t.Count);
        }
        return result;
    }

    /// <summary>Repeats the batch (ceil(n/B) times) and keeps the first n items.</summary>
    public static Tensor4 RepeatBatchTo(Tensor4 t, int n)
    {
        int times = (n + t.Dim(0) - 1) / t.Dim(0);
        return SliceBatch(Repeat(t, times), 0, n);
    }

    internal static Task<object?[]> EmptyLatentImage(NodeExecution e) =>
        Done(EmptyLatentImage((int)e.Int("width"), (int)e.Int("height"), (int)e.Int("batch_size")));

    internal static Task<object?[]> LatentFromBatch(NodeExecution e) =>
        Done(LatentFromBatch(e.Get<Latent>("samples"), (int)e.Int("batch_index"), (int)e.Int("length")));

    internal static Task<object?[]> RepeatLatentBatch(NodeExecution e) =>
        Done(RepeatLatentBatch(e.Get<Latent>("samples"), (int)e.Int("amount")));

    internal static Task<object?[]> LatentBlend(NodeExecution e) =>
        Done(LatentBlend(e.Get<Latent>("samples1"), e.Get<Latent>("samples2"), e.Float("blend_factor")));

    internal static Task<object?[]> LatentComposite(NodeExecution e) =>
        Done(LatentComposite(e.Get<Latent>("samples_to"), e.Get<Latent>("samples_from"), (int)e.Int("x"), (int)e.Int("y"), (int)e.Int("feather")));

    internal static Task<object?[]> SetLatentNoiseMask(NodeExecution e) =>
        Done(SetLatentNoiseMask(e.Get<Latent>("samples"), e.Get<MaskBatch>("mask")));

    internal static Task<object?[]> LatentUpscale(NodeExecution e) =>
        Done(ImageNodes.LatentUpscale(e.Get<Latent>("samples"), e.Str("upscale_method"), (int)e.Int("width"), (int)e.Int("height"), e.Str("crop")));

    internal static Task<object?[]> LatentUpscaleBy(NodeExecution e) =>
        Done(ImageNodes.LatentUpscaleBy(e.Get<Latent>("samples"), e.Str("upscale_method"), e.Float("scale_by")));

    internal static Task<object?[]> Done(params object?[] outputs) => Task.FromResult(outputs);
}
