using SdNative.Imaging;

namespace SdNative.Tests.Imaging;

public class ImageNodesTests
{
    private static ImageBatch Pixel(float r, float g, float b) => new(new Tensor4([1, 1, 1, 3], [r, g, b]));

    [Theory]
    // a = 0.25, b = 0.75, f = 0.5: out = a * 0.5 + mode(a, b) * 0.5, clamped.
    [InlineData("normal", 0.5f)]          // mode = b
    [InlineData("multiply", 0.21875f)]    // 0.125 + 0.1875 * 0.5
    [InlineData("screen", 0.53125f)]      // 1 - 0.75 * 0.25 = 0.8125
    [InlineData("overlay", 0.3125f)]      // a <= 0.5: 2ab = 0.375
    [InlineData("soft_light", 0.3125f)]   // b > 0.5: a + (2b - 1)(g(a) - a), g(0.25) = ((16*0.25 - 12)*0.25 + 4)*0.25 = 0.5
    [InlineData("difference", 0f)]        // a - b = -0.5: 0.125 - 0.25 clamps to 0
    public void ImageBlendModesFollowComfyUI(string mode, float expected)
    {
        var result = ImageNodes.ImageBlend(Pixel(0.25f, 0.25f, 0.25f), Pixel(0.75f, 0.75f, 0.75f), 0.5f, mode);
        Assert.All(result.Pixels.Data, v => Assert.Equal(expected, v, 6));
    }

    [Fact]
    public void SoftLightBelowHalfUsesTheFirstBranch()
    {
        // a = 0.5, b = 0.25, f = 1: a - (1 - 2b) a (1 - a) = 0.5 - 0.5 * 0.5 * 0.5 = 0.375.
        var result = ImageNodes.ImageBlend(Pixel(0.5f, 0.5f, 0.5f), Pixel(0.25f, 0.25f, 0.25f), 1f, "soft_light");
        Assert.Equal(0.375f, result.Pixels.Data[0], 6);
    }

    [Fact]
    public void BlendResizesTheSecondImageToTheFirst()
    {
        var a = new ImageBatch(1, 2, 2);
        var b = new ImageBatch(new Tensor4([1, 1, 1, 3], [1, 1, 1]));
        var result = ImageNodes.ImageBlend(a, b, 1f, "normal");
        Assert.Equal([1, 2, 2, 3], result.Pixels.Shape);
        // A constant image stays constant under bicubic (the weights sum to 1).
        Assert.All(result.Pixels.Data, v => Assert.Equal(1f, v, 5));
    }

    [Fact]
    public void InvertIsOneMinusEveryChannel()
    {
        var result = ImageNodes.ImageInvert(Pixel(0f, 0.25f, 1f));
        Assert.Equal([1f, 0.75f, 0f], result.Pixels.Data);
    }

    [Fact]
    public void ImageScaleKeepsTheAspectRatioWhenOneSideIsZero()
    {
        var image = new ImageBatch(1, 2, 4);
        // width = max(1, round(4 * 1 / 2)) = 2.
        Assert.Equal([1, 1, 2, 3], ImageNodes.ImageScale(image, "nearest-exact", 0, 1, "disabled").Pixels.Shape);
        Assert.Same(image, ImageNodes.ImageScale(image, "bilinear", 0, 0, "disabled"));
        // ImageScaleBy 1.5: round(4 * 1.5) = 6, round(2 * 1.5) = 3.
        Assert.Equal([1, 3, 6, 3], ImageNodes.ImageScaleBy(image, "bicubic", 1.5).Pixels.Shape);
    }

    [Fact]
    public void ImageScaleMovesChannelsAroundTheResize()
    {
        // A 1x2 image with distinct channels: nearest-exact to 1x4 duplicates each pixel, channels intact.
        var image = new ImageBatch(new Tensor4([1, 1, 2, 3], [0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f]));
        var r = ImageNodes.ImageScale(image, "nearest-exact", 4, 1, "disabled");
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, 0.4f, 0.5f, 0.6f], r.Pixels.Data);
    }

    [Fact]
    public void LatentUpscaleSizesFollowComfyUI()
    {
        var latent = new Latent(new Tensor4([1, 4, 8, 12]), new Tensor4([1, 64, 96]));
        // height 128 given: width = max(64, round(12 * 128 / 8)) = 192 pixels -> latent 16 x 24.
        var up = ImageNodes.LatentUpscale(latent, "nearest-exact", 0, 128, "disabled");
        Assert.Equal([1, 4, 16, 24], up.Samples.Shape);
        Assert.NotNull(up.NoiseMask);
        // Both given but below 64: clamped to 64 -> latent 8 x 8.
        Assert.Equal([1, 4, 8, 8], ImageNodes.LatentUpscale(latent, "area", 16, 16, "disabled").Samples.Shape);
        // Widths not a multiple of 8 are floored: 100 // 8 = 12.
        Assert.Equal([1, 4, 8, 12], ImageNodes.LatentUpscale(latent, "bilinear", 100, 64, "disabled").Samples.Shape);
        // LatentUpscaleBy 1.5: round(12 * 1.5) = 18, round(8 * 1.5) = 12.
        Assert.Equal([1, 4, 12, 18], ImageNodes.LatentUpscaleBy(latent, "bicubic", 1.5).Samples.Shape);
    }
}
