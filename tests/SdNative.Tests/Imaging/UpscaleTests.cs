using SdNative.Imaging;

namespace SdNative.Tests.Imaging;

/// <summary>Resize results derived by hand from torch's interpolate index and weight formulas.</summary>
public class UpscaleTests
{
    private static Tensor4 Row(params float[] values) => new([1, 1, 1, values.Length], values);

    private static void AssertClose(float[] expected, float[] actual, float tolerance = 1e-6f)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"[{i}] expected {expected[i]}, got {actual[i]}");
        }
    }

    [Fact]
    public void NearestExactPicksFloorOfTheHalfPixelCenter()
    {
        // 2 -> 4: scale 0.5, floor((i + 0.5) * 0.5) = 0, 0, 1, 1.
        AssertClose([10, 10, 20, 20], Upscale.Common(Row(10, 20), 4, 1, "nearest-exact", "disabled").Data);
        // 3 -> 2: scale 1.5, floor(0.75) = 0, floor(2.25) = 2.
        AssertClose([1, 3], Upscale.Common(Row(1, 2, 3), 2, 1, "nearest-exact", "disabled").Data);
    }

    [Fact]
    public void BilinearClampsNegativeSourcesToZero()
    {
        // src = (i + 0.5) * 0.5 - 0.5 = -0.25 (-> 0), 0.25, 0.75, 1.25 (index 1 with its neighbour clamped to 1).
        AssertClose([0, 0.25f, 0.75f, 1], Upscale.Common(Row(0, 1), 4, 1, "bilinear", "disabled").Data);
    }

    [Fact]
    public void BicubicUsesKeysWeightsWithAMinus075AndClampedIndices()
    {
        // Output 1: src 0.25, t = 0.25, taps at -1, 0, 1, 2 -> clamped to 0, 0, 1, 1 with values 0, 0, 1, 1.
        // Weights for t = 0.25: -0.10546875, 0.87890625, 0.26171875, -0.03515625; sum of the last two = 0.2265625.
        // Output 0: src -0.25, floor -1, t = 0.75, taps -2..1 -> values 0, 0, 0, 1; the last weight is -0.10546875.
        var result = Upscale.Common(Row(0, 1), 4, 1, "bicubic", "disabled").Data;
        AssertClose([-0.10546875f, 0.2265625f, 0.7734375f, 1.10546875f], result);
    }

    [Fact]
    public void AreaAveragesTheAdaptivePoolingWindows()
    {
        AssertClose([1.5f, 3.5f], Upscale.Common(Row(1, 2, 3, 4), 2, 1, "area", "disabled").Data);
        // 3 -> 2: windows [0, 2) and [1, 3) overlap on the middle value.
        AssertClose([1.5f, 2.5f], Upscale.Common(Row(1, 2, 3), 2, 1, "area", "disabled").Data);
    }

    [Fact]
    public void BilinearWorksOnBothAxesAndEveryPlane()
    {
        // [1, 2, 2, 2]: two planes of a 2x2 checkerboard upscaled to 4x4; the centre 2x2 of each
        // plane mixes all four inputs with weights 0.75/0.25: 0.75*0.75*a + ... (hand expansion below).
        var t = new Tensor4([1, 2, 2, 2], [0, 1, 1, 0, 10, 10, 10, 10]);
        var r = Upscale.Common(t, 4, 4, "bilinear", "disabled");
        Assert.Equal([1, 2, 4, 4], r.Shape);
        // Plane 0, output (1, 1): src (0.25, 0.25): 0.75*0.75*0 + 0.75*0.25*1 + 0.25*0.75*1 + 0.25*0.25*0 = 0.375.
        Assert.Equal(0.375f, r.Data[1 * 4 + 1], 6);
        // Plane 1 is constant and stays constant.
        Assert.All(r.Data.AsSpan(16, 16).ToArray(), v => Assert.Equal(10f, v, 5));
    }

    [Fact]
    public void LanczosQuantizesToBytesAndAveragesSymmetricTaps()
    {
        // 2 -> 1: scale 2, support 6, centre 1.0; taps 0 and 1 get lanczos(-0.25) and lanczos(0.25):
        // equal weights 0.5 -> 2^21 each in 22-bit fixed point; (2^21 + 255 * 2^21) >> 22 = 128.
        var r = Upscale.Common(Row(0, 1), 1, 1, "lanczos", "disabled");
        Assert.Equal(128f / 255f, r.Data[0]);
        // Values are truncated to bytes first: 0.999 -> 254 and a same-size "resize" returns 254/255.
        var same = Upscale.Common(Row(0.999f, 0.999f), 2, 1, "lanczos", "disabled");
        AssertClose([254f / 255f, 254f / 255f], same.Data);
    }

    [Fact]
    public void CenterCropUsesBankersRoundingOfTheMargin()
    {
        // 7x1 to 2x1: margin (7 - 7 * (2/7)) / 2 = 2.5 -> 2 (half to even), keeping columns 2..4.
        var cropped = Upscale.CenterCrop(Row(0, 1, 2, 3, 4, 5, 6), 2, 1);
        AssertClose([2, 3, 4], cropped.Data);
        // 4x2 image to a square: margin round((4 - 4 * 0.5) / 2) = 1 on each side.
        var t = new Tensor4([1, 1, 2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
        AssertClose([1, 2, 5, 6], Upscale.Common(t, 2, 2, "nearest-exact", "center").Data);
    }

    [Fact]
    public void UnknownMethodsAreRejectedWithTheirName()
    {
        var e = Assert.Throws<ArgumentException>(() => Upscale.Common(Row(0, 1), 2, 1, "bogus", "disabled"));
        Assert.Contains("bogus", e.Message);
    }
}

public class BislerpTests
{
    [Fact]
    public void OrthogonalNeighboursAreSlerpedAndEqualOnesKept()
    {
        // Two channels; along x the vectors (1, 0) and (0, 1). Width 2 -> 4: bilinear ramps give
        // positions 0, 0.25, 0.75, 1 (ratios 0, 0.25, 0.75, 0), first neighbours 0, 0, 0, 1 and
        // second neighbours 1, 1, 1, 1. Between orthogonal unit vectors (omega = pi/2) the blend at
        // ratio r is (sin((1 - r) pi/2), sin(r pi/2)); the last position pairs (0, 1) with itself.
        var t = new Tensor4([1, 2, 1, 2], [1, 0, 0, 1]);
        var r = Upscale.Common(t, 4, 1, "bislerp", "disabled");
        float[] expectedC0 = [1f, 0.9238795f, 0.3826834f, 0f];
        float[] expectedC1 = [0f, 0.3826834f, 0.9238795f, 1f];
        for (int x = 0; x < 4; x++)
        {
            Assert.Equal(expectedC0[x], r.Data[x], 5);
            Assert.Equal(expectedC1[x], r.Data[4 + x], 5);
        }
    }

    [Fact]
    public void LengthsAreInterpolatedLinearly()
    {
        // (2, 0) and (0, 4) at ratio 0.5 (width 2 -> 4, position 1 has ratio 0.25; use position 1):
        // direction (sin(3pi/8), sin(pi/8)), length 2 * 0.75 + 4 * 0.25 = 2.5.
        var t = new Tensor4([1, 2, 1, 2], [2, 0, 0, 4]);
        var r = Upscale.Common(t, 4, 1, "bislerp", "disabled");
        Assert.Equal(0.9238795f * 2.5f, r.Data[1], 4);
        Assert.Equal(0.3826834f * 2.5f, r.Data[5], 4);
    }
}
