using SdNative.Workflow.Nodes;

namespace SdNative.Workflow.Tests;

/// <summary>Crop, flip, rotate, pad and filter nodes on small inputs whose results are worked
/// out by hand from ComfyUI's definitions (nodes.py, nodes_images.py, nodes_post_processing.py).</summary>
public class TransformNodeTests
{
    /// <summary>[1, 1, 2, 3] = [[1, 2, 3], [4, 5, 6]].</summary>
    private static Latent TwoByThree(Tensor4? mask = null) => new(new Tensor4([1, 1, 2, 3], [1, 2, 3, 4, 5, 6]), mask, [7]);

    [Theory]
    [InlineData("x-axis: vertically", new float[] { 4, 5, 6, 1, 2, 3 })]
    [InlineData("y-axis: horizontally", new float[] { 3, 2, 1, 6, 5, 4 })]
    public void LatentFlipReversesRowsOrColumns(string method, float[] expected)
    {
        var mask = new Tensor4([1, 1, 1, 1], [0.5f]);
        var flipped = LatentTransformNodes.Flip(TwoByThree(mask), method);
        Assert.Equal(expected, flipped.Samples.Data);
        Assert.Equal([1, 1, 2, 3], flipped.Samples.Shape);
        // Only the samples change, as in ComfyUI.
        Assert.Same(mask, flipped.NoiseMask);
        Assert.Equal([7], flipped.BatchIndex);
    }

    [Theory]
    // Turning [[1,2,3],[4,5,6]] a quarter clockwise puts the bottom row on the left: [[4,1],[5,2],[6,3]].
    [InlineData("90 degrees", 3, 2, new float[] { 4, 1, 5, 2, 6, 3 })]
    [InlineData("180 degrees", 2, 3, new float[] { 6, 5, 4, 3, 2, 1 })]
    [InlineData("270 degrees", 3, 2, new float[] { 3, 6, 2, 5, 1, 4 })]
    [InlineData("none", 2, 3, new float[] { 1, 2, 3, 4, 5, 6 })]
    public void LatentRotateTurnsClockwise(string rotation, int height, int width, float[] expected)
    {
        var rotated = LatentTransformNodes.Rotate(TwoByThree(), rotation);
        Assert.Equal([1, 1, height, width], rotated.Samples.Shape);
        Assert.Equal(expected, rotated.Samples.Data);
    }

    /// <summary>A [2, 1, h, w] latent holding 1000·b + 100·y + x.</summary>
    private static Latent Indexed(int h, int w)
    {
        var t = new Tensor4([2, 1, h, w]);
        for (int b = 0; b < 2; b++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    t.Data[(b * h + y) * w + x] = 1000 * b + 100 * y + x;
                }
            }
        }
        return new Latent(t);
    }

    [Fact]
    public void LatentCropKeepsEightLatentPixelsAndClipsTheWindow()
    {
        // 10x12 latent. x = 80 px = 10 latent, pulled back to 12 - 8 = 4; y = 8 px = 1 stays.
        var cropped = LatentTransformNodes.Crop(Indexed(10, 12), width: 200, height: 64, x: 80, y: 8);
        // height 64 px = 8 rows (1..8); width 200 px = 25, clipped to columns 4..11.
        Assert.Equal([2, 1, 8, 8], cropped.Samples.Shape);
        Assert.Equal(104f, cropped.Samples.Data[0]);
        Assert.Equal(811f, cropped.Samples.Data[63]);
        Assert.Equal(1104f, cropped.Samples.Data[64]);
        // A latent 6 wide: x = 6 - 8 = -2, so ComfyUI's slice [-2:6] keeps the last 2 columns.
        var narrow = LatentTransformNodes.Crop(Indexed(10, 6), width: 64, height: 64, x: 0, y: 0);
        Assert.Equal([2, 1, 8, 2], narrow.Samples.Shape);
        Assert.Equal(new float[] { 4, 5, 104, 105 }, narrow.Samples.Data[..4]);
    }

    /// <summary>[1, h, w, 3] with channel 0 = 10·y + x, channel 1 = -1, channel 2 = b.</summary>
    private static ImageBatch IndexedImage(int h, int w)
    {
        var image = new ImageBatch(1, h, w);
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                image.Pixels.Data[image.Index(0, y, x, 0)] = 10 * y + x;
                image.Pixels.Data[image.Index(0, y, x, 1)] = -1;
            }
        }
        return image;
    }

    [Fact]
    public void ImageCropTakesTheWindowClippedToTheImage()
    {
        // 5x6 image; window from (x 4, y 1), 3 wide and 2 high: columns 4..5 only.
        var cropped = ImageTransformNodes.Crop(IndexedImage(5, 6), width: 3, height: 2, x: 4, y: 1);
        Assert.Equal((2, 2), (cropped.Height, cropped.Width));
        Assert.Equal(new float[] { 14, 15, 24, 25 }, Enumerable.Range(0, 4).Select(i => cropped.Pixels.Data[i * 3]).ToArray());
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(-1f, cropped.Pixels.Data[i * 3 + 1]));
        // x and y past the image are clamped to its last column and row.
        var corner = ImageTransformNodes.Crop(IndexedImage(5, 6), width: 512, height: 512, x: 99, y: 99);
        Assert.Equal((1, 1), (corner.Height, corner.Width));
        Assert.Equal(45f, corner.Pixels.Data[0]);
    }

    [Fact]
    public void ImagePadForOutpaintGreysTheBorderAndFeathersTheMask()
    {
        var image = new ImageBatch(1, 10, 10);
        Array.Fill(image.Pixels.Data, 0.2f);
        var (padded, mask) = ImageTransformNodes.PadForOutpaint(image, left: 8, top: 0, right: 0, bottom: 4, feathering: 3);
        Assert.Equal((14, 18), (padded.Height, padded.Width));
        Assert.Equal((1, 14, 18), (mask.Batch, mask.Height, mask.Width));
        Assert.Equal(0.5f, padded.Pixels.Data[padded.Index(0, 0, 0, 0)]);   // left border
        Assert.Equal(0.5f, padded.Pixels.Data[padded.Index(0, 12, 12, 2)]); // bottom border
        Assert.Equal(0.2f, padded.Pixels.Data[padded.Index(0, 5, 13, 1)]);  // the image
        float Mask(int row, int col) => mask.Values.Data[row * 18 + col];
        Assert.Equal(1f, Mask(0, 0));
        Assert.Equal(1f, Mask(11, 12));
        // Inside, d = min(j (left padded), 10 - i (bottom padded)); top and right are not
        // padded and count as 10. Value ((3 - d) / 3)² while d < 3.
        Assert.Equal(1f, Mask(0, 8 + 0), 6);           // d = 0
        Assert.Equal(4f / 9f, Mask(0, 8 + 1), 6);      // d = 1 from the left
        Assert.Equal(1f / 9f, Mask(0, 8 + 2), 6);      // d = 2
        Assert.Equal(0f, Mask(0, 8 + 3));              // d = 3: no feathering
        Assert.Equal(4f / 9f, Mask(9, 8 + 5), 6);      // d = 10 - 9 = 1 from the bottom
        Assert.Equal(1f / 9f, Mask(8, 8 + 5), 6);
        Assert.Equal(0f, Mask(5, 8 + 5));
        // Feathering of 5 on a 10-pixel side (2·5 is not below 10) is off: the old image is all 0.
        var (_, plain) = ImageTransformNodes.PadForOutpaint(image, 8, 0, 0, 4, 5);
        Assert.Equal(0f, plain.Values.Data[0 * 18 + 8]);
    }

    /// <summary>A 4x4 image of one value with another value at (1, 1).</summary>
    private static ImageBatch Spot(float background, float spot)
    {
        var image = new ImageBatch(1, 4, 4);
        Array.Fill(image.Pixels.Data, background);
        for (int c = 0; c < 3; c++)
        {
            image.Pixels.Data[image.Index(0, 1, 1, c)] = spot;
        }
        return image;
    }

    // ComfyUI's 3x3 kernel samples exp(-(x² + y²) / 2σ²) at x, y in {-1, 0, 1} (σ = 1):
    // centre 1, edges e^-0.5, corners e^-1, over their sum.
    private static readonly double KernelSum = 1 + 4 * Math.Exp(-0.5) + 4 * Math.Exp(-1);
    private static readonly double Centre = 1 / KernelSum, Edge = Math.Exp(-0.5) / KernelSum, Corner = Math.Exp(-1) / KernelSum;

    [Fact]
    public void ImageBlurSpreadsAPointWithReflectedEdges()
    {
        var blurred = ImageFilterNodes.Blur(Spot(0f, 1f), blurRadius: 1, sigma: 1.0);
        Assert.Equal(Centre, blurred.Pixels.Data[blurred.Index(0, 1, 1, 0)], 5);
        Assert.Equal(Corner, blurred.Pixels.Data[blurred.Index(0, 2, 2, 1)], 5);
        // Row 0 sees row 1 twice: once directly, once through the reflected row -1.
        Assert.Equal(2 * Edge, blurred.Pixels.Data[blurred.Index(0, 0, 1, 2)], 5);
        Assert.Equal(0.0, blurred.Pixels.Data[blurred.Index(0, 3, 3, 0)], 6);
        var spot = Spot(0f, 1f);
        Assert.Same(spot, ImageFilterNodes.Blur(spot, 0, 1.0)); // radius 0 returns the input, as in ComfyUI
    }

    [Fact]
    public void ImageSharpenUsesTheNegatedKernelWithAUnitSumAndClamps()
    {
        // alpha 1: kernel = -10·g, centre raised to 11 - 10·centre so the kernel sums to 1.
        var sharpened = ImageFilterNodes.Sharpen(Spot(0.5f, 0.51f), sharpenRadius: 1, sigma: 1.0, alpha: 1.0);
        Assert.Equal(0.5 + 0.01 * (11 - 10 * Centre), sharpened.Pixels.Data[sharpened.Index(0, 1, 1, 0)], 5);
        Assert.Equal(0.5 - 0.01 * 10 * Edge, sharpened.Pixels.Data[sharpened.Index(0, 1, 2, 0)], 5);
        Assert.Equal(0.5, sharpened.Pixels.Data[sharpened.Index(0, 3, 3, 0)], 5);
        var clamped = ImageFilterNodes.Sharpen(Spot(0.5f, 0.6f), 1, 1.0, 1.0);
        Assert.Equal(1f, clamped.Pixels.Data[clamped.Index(0, 1, 1, 0)]);
    }

    [Fact]
    public void FiltersRefuseAnImageNoLargerThanTheRadius()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageFilterNodes.Blur(new ImageBatch(1, 3, 8), 3, 1.0));
        Assert.Contains("radius of 3", error.Message);
    }
}
