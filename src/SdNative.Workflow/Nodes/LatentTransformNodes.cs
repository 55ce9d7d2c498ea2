namespace SdNative.Workflow.Nodes;

/// <summary>ComfyUI's latent/transform nodes (nodes.py LatentCrop, LatentFlip, LatentRotate).
/// Like ComfyUI they change only the samples: a noise mask and batch_index pass through as
/// they are.</summary>
public static class LatentTransformNodes
{
    public static readonly IReadOnlyList<string> Rotations = ["none", "90 degrees", "180 degrees", "270 degrees"];

    public static readonly IReadOnlyList<string> FlipMethods = ["x-axis: vertically", "y-axis: horizontally"];

    /// <summary>LatentCrop: x, y, width and height in pixels (//8). x and y are first pulled back
    /// so that at least 8 latent pixels (64 image pixels) remain; the window [x, x + width) is
    /// then taken as a Python slice takes it (on a latent under 8 wide the start is negative and
    /// counts from the end, as in ComfyUI).</summary>
    public static Latent Crop(Latent latent, int width, int height, int x, int y)
    {
        int w = latent.Width, h = latent.Height;
        int xs = Math.Min(x / 8, w - 8), ys = Math.Min(y / 8, h - 8);
        var (x0, newW) = PythonSlice(xs, xs + width / 8, w);
        var (y0, newH) = PythonSlice(ys, ys + height / 8, h);
        return latent.WithSamples(Remap(latent.Samples, newH, newW, (yy, xx) => (y0 + yy, x0 + xx)));
    }

    /// <summary>Start and length of sequence[start:stop] for a sequence of n items.</summary>
    private static (int Start, int Length) PythonSlice(int start, int stop, int n)
    {
        static int Bound(int i, int n) => Math.Clamp(i < 0 ? i + n : i, 0, n);
        int a = Bound(start, n), b = Bound(stop, n);
        return (a, Math.Max(0, b - a));
    }

    /// <summary>LatentFlip: "x-axis: vertically" reverses the rows, "y-axis: horizontally" the columns.</summary>
    public static Latent Flip(Latent latent, string flipMethod)
    {
        int w = latent.Width, h = latent.Height;
        Func<int, int, (int, int)> source = flipMethod.StartsWith('x')
            ? (yy, xx) => (h - 1 - yy, xx)
            : flipMethod.StartsWith('y')
                ? (yy, xx) => (yy, w - 1 - xx)
                : (yy, xx) => (yy, xx);
        return latent.WithSamples(Remap(latent.Samples, h, w, source));
    }

    /// <summary>LatentRotate: torch.rot90(samples, k, dims=[3, 2]), i.e. k quarter turns
    /// clockwise as the image is viewed.</summary>
    public static Latent Rotate(Latent latent, string rotation)
    {
        int w = latent.Width, h = latent.Height;
        int turns = rotation.StartsWith("90", StringComparison.Ordinal) ? 1
            : rotation.StartsWith("180", StringComparison.Ordinal) ? 2
            : rotation.StartsWith("270", StringComparison.Ordinal) ? 3 : 0;
        return turns switch
        {
            // A clockwise quarter turn: output row r is source column r read bottom-up.
            1 => latent.WithSamples(Remap(latent.Samples, w, h, (yy, xx) => (h - 1 - xx, yy))),
            2 => latent.WithSamples(Remap(latent.Samples, h, w, (yy, xx) => (h - 1 - yy, w - 1 - xx))),
            3 => latent.WithSamples(Remap(latent.Samples, w, h, (yy, xx) => (xx, w - 1 - yy))),
            _ => latent,
        };
    }

    /// <summary>A [B, C, newH, newW] tensor whose (y, x) is the source's element at source(y, x).</summary>
    private static Tensor4 Remap(Tensor4 t, int newH, int newW, Func<int, int, (int Y, int X)> source)
    {
        int planes = t.Dim(0) * t.Dim(1), h = t.Dim(2), w = t.Dim(3);
        var result = new Tensor4([t.Dim(0), t.Dim(1), newH, newW]);
        for (int p = 0; p < planes; p++)
        {
            for (int yy = 0; yy < newH; yy++)
            {
                for (int xx = 0; xx < newW; xx++)
                {
                    var (sy, sx) = source(yy, xx);
                    result.Data[((long)p * newH + yy) * newW + xx] = t.Data[((long)p * h + sy) * w + sx];
                }
            }
        }
        return result;
    }

    internal static Task<object?[]> Crop(NodeExecution e) =>
        LatentNodes.Done(Crop(e.Get<Latent>("samples"), (int)e.Int("width"), (int)e.Int("height"), (int)e.Int("x"), (int)e.Int("y")));

    internal static Task<object?[]> Flip(NodeExecution e) =>
        LatentNodes.Done(Flip(e.Get<Latent>("samples"), e.Str("flip_method")));

    internal static Task<object?[]> Rotate(NodeExecution e) =>
        LatentNodes.Done(Rotate(e.Get<Latent>("samples"), e.Str("rotation")));
}
