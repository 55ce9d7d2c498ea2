using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Cli.Tests.Fidelity;

/// <summary>PSNR over the 8-bit RGB pixels of two PNG files, decoded here (not by the product).</summary>
public static class Psnr
{
    public static double Between(string expectedPng, string actualPng)
    {
        using var expected = Image.Load<Rgb24>(expectedPng);
        using var actual = Image.Load<Rgb24>(actualPng);
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        double sum = 0;
        for (int y = 0; y < expected.Height; y++)
        {
            for (int x = 0; x < expected.Width; x++)
            {
                var a = expected[x, y];
                var b = actual[x, y];
                sum += Sq(a.R - b.R) + Sq(a.G - b.G) + Sq(a.B - b.B);
            }
        }
        double mse = sum / (expected.Width * expected.Height * 3.0);
        return mse == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    private static double Sq(int d) => (double)d * d;
}
