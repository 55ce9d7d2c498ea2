namespace SdNative.Imaging;

/// <summary>
/// ComfyUI's <c>common_upscale</c> on [B, C, H, W] tensors, computed as torch's
/// <c>interpolate</c> computes it (align_corners=False, no antialias): nearest-exact, bilinear,
/// bicubic (A = -0.75, clamped source indices), area (adaptive average pooling), and lanczos
/// (through 8-bit pixels and a Lanczos-3 filter as PIL applies it).
/// </summary>
public static class Upscale
{
    public static readonly IReadOnlyList<string> ImageMethods = ["nearest-exact", "bilinear", "area", "bicubic", "lanczos"];
    public static readonly IReadOnlyList<string> LatentMethods = ["nearest-exact", "bilinear", "area", "bicubic", "bislerp"];

    /// <summary>common_upscale(samples, width, height, method, crop).</summary>
    public static Tensor4 Common(Tensor4 samples, int width, int height, string method, string crop)
    {
        if (samples.Rank != 4)
        {
            throw new ArgumentException($"common_upscale takes [B, C, H, W], not {samples}.", nameof(samples));
        }
        if (width < 1 || height < 1)
        {
            throw new ArgumentException($"Cannot resize to {width}x{height}.");
        }
        var source = crop switch
        {
            "disabled" => samples,
            "center" => CenterCrop(samples, width, height),
            _ => throw new ArgumentException($"Unknown crop '{crop}' (disabled, center)."),
        };
        return method switch
        {
            "nearest-exact" => NearestExact(source, width, height),
            "bilinear" => Bilinear(source, width, height),
            "bicubic" => Bicubic(source, width, height),
            "area" => Area(source, width, height),
            "lanczos" => LanczosResampler.Resize(source, width, height),
            "bislerp" => Bislerp.Resize(source, width, height),
            _ => throw new ArgumentException($"Unknown upscale method '{method}'."),
        };
    }

    /// <summary>The centered crop with the target aspect ratio (Python's banker's rounding).</summary>
    public static Tensor4 CenterCrop(Tensor4 samples, int width, int height)
    {
        int oldW = samples.Dim(3), oldH = samples.Dim(2);
        double oldAspect = (double)oldW / oldH;
        double newAspect = (double)width / height;
        int x = 0, y = 0;
        if (oldAspect > newAspect)
        {
            x = (int)Math.Round((oldW - oldW * (newAspect / oldAspect)) / 2);
        }
        else if (oldAspect < newAspect)
        {
            y = (int)Math.Round((oldH - oldH * (oldAspect / newAspect)) / 2);
        }
        return Crop(samples, y, x, oldH - 2 * y, oldW - 2 * x);
    }

    public static Tensor4 Crop(Tensor4 samples, int y, int x, int h, int w)
    {
        int b = samples.Dim(0), c = samples.Dim(1), inH = samples.Dim(2), inW = samples.Dim(3);
        if (y == 0 && x == 0 && h == inH && w == inW)
        {
            return samples;
        }
        var result = new Tensor4([b, c, h, w]);
        for (int plane = 0; plane < b * c; plane++)
        {
            for (int row = 0; row < h; row++)
            {
                Array.Copy(samples.Data, ((long)plane * inH + y + row) * inW + x, result.Data, ((long)plane * h + row) * w, w);
            }
        }
        return result;
    }

    // torch computes the scale as a float32 ratio of the sizes when only size is given.
    private static float Scale(int input, int output) => (float)input / output;

    public static Tensor4 NearestExact(Tensor4 s, int width, int height)
    {
        int inH = s.Dim(2), inW = s.Dim(3);
        float sy = Scale(inH, height), sx = Scale(inW, width);
        var ys = new int[height];
        var xs = new int[width];
        for (int i = 0; i < height; i++)
        {
            ys[i] = Math.Min((int)MathF.Floor((i + 0.5f) * sy), inH - 1);
        }
        for (int j = 0; j < width; j++)
        {
            xs[j] = Math.Min((int)MathF.Floor((j + 0.5f) * sx), inW - 1);
        }
        return MapPlanes(s, width, height, (src, dst) =>
        {
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    dst[i * width + j] = src[ys[i] * inW + xs[j]];
                }
            }
        });
    }

    public static Tensor4 Bilinear(Tensor4 s, int width, int height)
    {
        int inH = s.Dim(2), inW = s.Dim(3);
        var (y0, y1, ly) = LinearTaps(inH, height);
        var (x0, x1, lx) = LinearTaps(inW, width);
        return MapPlanes(s, width, height, (src, dst) =>
        {
            for (int i = 0; i < height; i++)
            {
                float wy1 = ly[i], wy0 = 1f - wy1;
                for (int j = 0; j < width; j++)
                {
                    float wx1 = lx[j], wx0 = 1f - wx1;
                    // The same grouping as torch: (h0 * (w0 * a + w1 * b)) + (h1 * (w0 * c + w1 * d)).
                    dst[i * width + j] =
                        wy0 * (wx0 * src[y0[i] * inW + x0[j]] + wx1 * src[y0[i] * inW + x1[j]]) +
                        wy1 * (wx0 * src[y1[i] * inW + x0[j]] + wx1 * src[y1[i] * inW + x1[j]]);
                }
            }
        });
    }

    private static (int[] Lo, int[] Hi, float[] Lambda) LinearTaps(int input, int output)
    {
        float scale = Scale(input, output);
        var lo = new int[output];
        var hi = new int[output];
        var lambda = new float[output];
        for (int i = 0; i < output; i++)
        {
            float src = Math.Max((i + 0.5f) * scale - 0.5f, 0f);
            int i0 = (int)src;
            lo[i] = i0;
            hi[i] = Math.Min(i0 + 1, input - 1);
            lambda[i] = src - i0;
        }
        return (lo, hi, lambda);
    }

    public static Tensor4 Bicubic(Tensor4 s, int width, int height)
    {
        int inH = s.Dim(2), inW = s.Dim(3);
        var (yi, yw) = CubicTaps(inH, height);
        var (xi, xw) = CubicTaps(inW, width);
        return MapPlanes(s, width, height, (src, dst) =>
        {
            Span<float> rows = stackalloc float[4];
            for (int i = 0; i < height; i++)
            {
                for (int j = 0; j < width; j++)
                {
                    for (int k = 0; k < 4; k++)
                    {
                        int row = yi[i * 4 + k] * inW;
                        rows[k] = src[row + xi[j * 4]] * xw[j * 4] + src[row + xi[j * 4 + 1]] * xw[j * 4 + 1] +
                                  src[row + xi[j * 4 + 2]] * xw[j * 4 + 2] + src[row + xi[j * 4 + 3]] * xw[j * 4 + 3];
                    }
                    dst[i * width + j] = rows[0] * yw[i * 4] + rows[1] * yw[i * 4 + 1] + rows[2] * yw[i * 4 + 2] + rows[3] * yw[i * 4 + 3];
                }
            }
        });
    }

    /// <summary>Source indices (clamped to the image) and Keys cubic weights (A = -0.75).</summary>
    private static (int[] Index, float[] Weight) CubicTaps(int input, int output)
    {
        const float A = -0.75f;
        float scale = Scale(input, output);
        var index = new int[output * 4];
        var weight = new float[output * 4];
        for (int i = 0; i < output; i++)
        {
            float src = (i + 0.5f) * scale - 0.5f;
            int i0 = (int)MathF.Floor(src);
            float t = src - i0;
            float x1 = t + 1f, x2 = t, x3 = 1f - t, x4 = 2f - t;
            weight[i * 4] = ((A * x1 - 5f * A) * x1 + 8f * A) * x1 - 4f * A;
            weight[i * 4 + 1] = ((A + 2f) * x2 - (A + 3f)) * x2 * x2 + 1f;
            weight[i * 4 + 2] = ((A + 2f) * x3 - (A + 3f)) * x3 * x3 + 1f;
            weight[i * 4 + 3] = ((A * x4 - 5f * A) * x4 + 8f * A) * x4 - 4f * A;
            for (int k = 0; k < 4; k++)
            {
                index[i * 4 + k] = Math.Clamp(i0 - 1 + k, 0, input - 1);
            }
        }
        return (index, weight);
    }

    /// <summary>Adaptive average pooling: output cell i covers [floor(i*in/out), ceil((i+1)*in/out)).</summary>
    public static Tensor4 Area(Tensor4 s, int width, int height)
    {
        int inH = s.Dim(2), inW = s.Dim(3);
        return MapPlanes(s, width, height, (src, dst) =>
        {
            for (int i = 0; i < height; i++)
            {
                int y0 = (int)((long)i * inH / height), y1 = (int)(((long)(i + 1) * inH + height - 1) / height);
                for (int j = 0; j < width; j++)
                {
                    int x0 = (int)((long)j * inW / width), x1 = (int)(((long)(j + 1) * inW + width - 1) / width);
                    float sum = 0f;
                    for (int y = y0; y < y1; y++)
                    {
                        for (int x = x0; x < x1; x++)
                        {
                            sum += src[y * inW + x];
                        }
                    }
                    dst[i * width + j] = sum / ((y1 - y0) * (x1 - x0));
                }
            }
        });
    }

    internal delegate void PlaneMap(ReadOnlySpan<float> source, Span<float> destination);

    /// <summary>Applies a per-plane resize to every [H, W] plane of a [B, C, H, W] tensor.</summary>
    internal static Tensor4 MapPlanes(Tensor4 s, int width, int height, PlaneMap map)
    {
        int b = s.Dim(0), c = s.Dim(1), inH = s.Dim(2), inW = s.Dim(3);
        var result = new Tensor4([b, c, height, width]);
        int inPlane = inH * inW, outPlane = height * width;
        for (int p = 0; p < b * c; p++)
        {
            map(s.Data.AsSpan(p * inPlane, inPlane), result.Data.AsSpan(p * outPlane, outPlane));
        }
        return result;
    }

    /// <summary>[B, H, W, C] → [B, C, H, W] (ComfyUI's movedim(-1, 1)).</summary>
    public static Tensor4 ChannelsFirst(Tensor4 t)
    {
        int b = t.Dim(0), h = t.Dim(1), w = t.Dim(2), c = t.Dim(3);
        var r = new Tensor4([b, c, h, w]);
        for (int n = 0; n < b; n++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int k = 0; k < c; k++)
                        r.Data[((n * c + k) * h + y) * w + x] = t.Data[((n * h + y) * w + x) * c + k];
        return r;
    }

    /// <summary>[B, C, H, W] → [B, H, W, C].</summary>
    public static Tensor4 ChannelsLast(Tensor4 t)
    {
        int b = t.Dim(0), c = t.Dim(1), h = t.Dim(2), w = t.Dim(3);
        var r = new Tensor4([b, h, w, c]);
        for (int n = 0; n < b; n++)
            for (int k = 0; k < c; k++)
                for (int y = 0; y < h; y++)
                    for (int x = 0; x < w; x++)
                        r.Data[((n * h + y) * w + x) * c + k] = t.Data[((n * c + k) * h + y) * w + x];
        return r;
    }
}
