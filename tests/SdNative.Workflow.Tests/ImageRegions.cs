using SdNative.Imaging;

namespace SdNative.Workflow.Tests;

/// <summary>Mean absolute pixel differences between two images of the same size, over the whole
/// image or over the pixels a predicate selects.</summary>
internal static class ImageRegions
{
    public static double MeanAbsDifference(ImageBatch a, ImageBatch b, Func<int, int, bool>? where = null)
    {
        double sum = 0;
        long count = 0;
        Visit(a, b, where, d =>
        {
            sum += d;
            count++;
        });
        return sum / count;
    }

    public static double MaxAbsDifference(ImageBatch a, ImageBatch b, Func<int, int, bool>? where = null)
    {
        double max = 0;
        Visit(a, b, where, d => max = Math.Max(max, d));
        return max;
    }

    /// <summary>Calls visit with |a - b| of every channel of every selected pixel.</summary>
    private static void Visit(ImageBatch a, ImageBatch b, Func<int, int, bool>? where, Action<double> visit)
    {
        Assert.Equal((a.Batch, a.Height, a.Width, a.Channels), (b.Batch, b.Height, b.Width, b.Channels));
        long count = 0;
        for (int n = 0; n < a.Batch; n++)
        {
            for (int y = 0; y < a.Height; y++)
            {
                for (int x = 0; x < a.Width; x++)
                {
                    if (where is not null && !where(y, x))
                    {
                        continue;
                    }
                    for (int c = 0; c < a.Channels; c++)
                    {
                        long i = a.Index(n, y, x, c);
                        visit(Math.Abs(a.Pixels.Data[i] - b.Pixels.Data[i]));
                        count++;
                    }
                }
            }
        }
        Assert.True(count > 0, "the region selects no pixel");
    }
}
