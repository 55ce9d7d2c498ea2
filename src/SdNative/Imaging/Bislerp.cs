namespace SdNative.Imaging;

/// <summary>
/// ComfyUI's "bislerp" latent resize: separable (width pass, then height pass) interpolation
/// where each pair of neighbouring channel vectors is blended by spherical interpolation of
/// their directions and linear interpolation of their lengths. Neighbours and ratios come from
/// bilinearly resizing the coordinate ramps, exactly as the reference derives them.
/// </summary>
public static class Bislerp
{
    public static Tensor4 Resize(Tensor4 samples, int width, int height)
    {
        var afterWidth = Pass(samples, width, alongWidth: true);
        return Pass(afterWidth, height, alongWidth: false);
    }

    /// <summary>For each new position: the two source indices and the blend ratio.</summary>
    internal static (int[] First, int[] Second, float[] Ratio) Taps(int oldLength, int newLength)
    {
        var ramp = new float[oldLength];
        var rampPlusOne = new float[oldLength];
        for (int i = 0; i < oldLength; i++)
        {
            ramp[i] = i;
            rampPlusOne[i] = i + 1;
        }
        // The second neighbour ramp is i + 1 except at the end, which stays on the last index.
        rampPlusOne[oldLength - 1] -= 1;
        var c1 = Upscale.Bilinear(new Tensor4([1, 1, 1, oldLength], ramp), newLength, 1).Data;
        var c2 = Upscale.Bilinear(new Tensor4([1, 1, 1, oldLength], rampPlusOne), newLength, 1).Data;
        var first = new int[newLength];
        var second = new int[newLength];
        var ratio = new float[newLength];
        for (int i = 0; i < newLength; i++)
        {
            ratio[i] = c1[i] - MathF.Floor(c1[i]);
            first[i] = (int)c1[i];
            second[i] = (int)c2[i];
        }
        return (first, second, ratio);
    }

    private static Tensor4 Pass(Tensor4 s, int newLength, bool alongWidth)
    {
        int n = s.Dim(0), c = s.Dim(1), h = s.Dim(2), w = s.Dim(3);
        int oldLength = alongWidth ? w : h;
        var (first, second, ratio) = Taps(oldLength, newLength);
        int outH = alongWidth ? h : newLength, outW = alongWidth ? newLength : w;
        var result = new Tensor4([n, c, outH, outW]);
        var a = new float[c];
        var b = new float[c];
        var r = new float[c];
        for (int b0 = 0; b0 < n; b0++)
        {
            for (int y = 0; y < outH; y++)
            {
                for (int x = 0; x < outW; x++)
                {
                    int along = alongWidth ? x : y;
                    int y1 = alongWidth ? y : first[along], x1 = alongWidth ? first[along] : x;
                    int y2 = alongWidth ? y : second[along], x2 = alongWidth ? second[along] : x;
                    for (int k = 0; k < c; k++)
                    {
                        a[k] = s.Data[((b0 * c + k) * h + y1) * w + x1];
                        b[k] = s.Data[((b0 * c + k) * h + y2) * w + x2];
                    }
                    Slerp(a, b, ratio[along], r);
                    for (int k = 0; k < c; k++)
                    {
                        result.Data[((b0 * c + k) * outH + y) * outW + x] = r[k];
                    }
                }
            }
        }
        return result;
    }

    /// <summary>Direction by slerp, length by lerp; nearly equal directions keep the first
    /// vector, nearly opposite ones fall back to a plain lerp.</summary>
    internal static void Slerp(float[] v1, float[] v2, float t, float[] result)
    {
        int c = v1.Length;
        float n1 = 0f, n2 = 0f;
        for (int k = 0; k < c; k++)
        {
            n1 += v1[k] * v1[k];
            n2 += v2[k] * v2[k];
        }
        n1 = MathF.Sqrt(n1);
        n2 = MathF.Sqrt(n2);
        float dot = 0f;
        for (int k = 0; k < c; k++)
        {
            float u1 = n1 == 0f ? 0f : v1[k] / n1;
            float u2 = n2 == 0f ? 0f : v2[k] / n2;
            dot += u1 * u2;
        }
        if (dot > 1f - 1e-5f)
        {
            Array.Copy(v1, result, c);
            return;
        }
        if (dot < 1e-5f - 1f)
        {
            for (int k = 0; k < c; k++)
            {
                result[k] = v1[k] * (1f - t) + v2[k] * t;
            }
            return;
        }
        float omega = MathF.Acos(dot);
        float so = MathF.Sin(omega);
        float w1 = MathF.Sin((1f - t) * omega) / so;
        float w2 = MathF.Sin(t * omega) / so;
        float length = n1 * (1f - t) + n2 * t;
        for (int k = 0; k < c; k++)
        {
            float u1 = n1 == 0f ? 0f : v1[k] / n1;
            float u2 = n2 == 0f ? 0f : v2[k] / n2;
            result[k] = (w1 * u1 + w2 * u2) * length;
        }
    }
}
