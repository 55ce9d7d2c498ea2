namespace SdNative.Imaging;

/// <summary>
/// ComfyUI's "lanczos" resize: each plane is quantized to 8 bits (truncating 255*v), resized
/// with a Lanczos-3 filter in two 8-bit passes (horizontal, then vertical) with fixed-point
/// weights, the way PIL's resampler does it, and divided by 255 again.
/// </summary>
public static class LanczosResampler
{
    private const double Support = 3.0;
    // Fixed-point fraction bits of the 8-bit passes: 32 bits minus 8 for the pixel, minus 2 for headroom.
    private const int PrecisionBits = 32 - 8 - 2;

    public static Tensor4 Resize(Tensor4 samples, int width, int height)
    {
        int inH = samples.Dim(2), inW = samples.Dim(3);
        var horizontal = inW == width ? null : Coefficients(inW, width);
        var vertical = inH == height ? null : Coefficients(inH, height);
        return Upscale.MapPlanes(samples, width, height, (src, dst) =>
        {
            var pixels = new byte[inH * inW];
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = (byte)Math.Clamp(255f * src[i], 0f, 255f);
            }
            var afterX = horizontal is null ? pixels : Pass(pixels, inH, inW, width, horizontal, alongRows: true);
            var afterY = vertical is null ? afterX : Pass(afterX, inH, width, height, vertical, alongRows: false);
            for (int i = 0; i < afterY.Length; i++)
            {
                dst[i] = afterY[i] / 255f;
            }
        });
    }

    private static double Sinc(double x)
    {
        if (x == 0.0)
        {
            return 1.0;
        }
        x *= Math.PI;
        return Math.Sin(x) / x;
    }

    private static double Lanczos(double x) => x >= -Support && x < Support ? Sinc(x) * Sinc(x / Support) : 0.0;

    /// <summary>For each output index: the first source index and fixed-point weights.</summary>
    internal static (int First, int[] Weights)[] Coefficients(int inSize, int outSize)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support * filterScale;
        double ss = 1.0 / filterScale;
        var result = new (int, int[])[outSize];
        for (int o = 0; o < outSize; o++)
        {
            double center = (o + 0.5) * scale;
            int first = Math.Max((int)(center - support + 0.5), 0);
            int last = Math.Min((int)(center + support + 0.5), inSize);
            int count = last - first;
            var k = new double[count];
            double sum = 0;
            for (int x = 0; x < count; x++)
            {
                k[x] = Lanczos((x + first - center + 0.5) * ss);
                sum += k[x];
            }
            var fixedPoint = new int[count];
            for (int x = 0; x < count; x++)
            {
                double w = sum != 0 ? k[x] / sum : k[x];
                // Round half away from zero, as a C cast after adding +-0.5.
                fixedPoint[x] = (int)(w < 0 ? -0.5 + w * (1 << PrecisionBits) : 0.5 + w * (1 << PrecisionBits));
            }
            result[o] = (first, fixedPoint);
        }
        return result;
    }

    private static byte[] Pass(byte[] src, int rows, int cols, int outLength, (int First, int[] Weights)[] taps, bool alongRows)
    {
        int outRows = alongRows ? rows : outLength;
        int outCols = alongRows ? outLength : cols;
        var dst = new byte[outRows * outCols];
        for (int r = 0; r < outRows; r++)
        {
            for (int c = 0; c < outCols; c++)
            {
                var (first, weights) = taps[alongRows ? c : r];
                long acc = 1L << (PrecisionBits - 1);
                for (int k = 0; k < weights.Length; k++)
                {
                    int value = alongRows ? src[r * cols + first + k] : src[(first + k) * cols + c];
                    acc += (long)value * weights[k];
                }
                dst[r * outCols + c] = (byte)Math.Clamp(acc >> PrecisionBits, 0, 255);
            }
        }
        return dst;
    }
}
