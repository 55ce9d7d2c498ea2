using SdNative.Imaging;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace SdNative.Server.Tests;

/// <summary>The binary preview frame: ComfyUI's [uint32 1][uint32 1 = JPEG][image], scaled to fit 512 (up too).</summary>
public class LatentPreviewFrameTests
{
    [Theory]
    [InlineData(8, 4, 512, 256)]     // a 64×32 image's latent: upsized, as ImageOps.contain does
    [InlineData(96, 128, 384, 512)]
    public void APreviewIsAJpegScaledToFit512BehindTheTypeOneHeader(int width, int height, int expectedWidth, int expectedHeight)
    {
        var preview = new ImageBatch(1, height, width, 3);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                preview.Pixels.Data[preview.Index(0, y, x, 0)] = 0.2f;
                preview.Pixels.Data[preview.Index(0, y, x, 1)] = 0.6f;
                preview.Pixels.Data[preview.Index(0, y, x, 2)] = 1.0f;
            }
        }
        byte[] frame = LatentPreviewFrame.Encode(preview);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0, 0, 1 }, frame[..8]);
        using var jpeg = Image.Load<Rgb24>(frame[8..]);
        Assert.Equal((expectedWidth, expectedHeight), (jpeg.Width, jpeg.Height));
        var middle = jpeg[expectedWidth / 2, expectedHeight / 2];
        // 0.2, 0.6, 1.0 of 255 = 51, 153, 255; JPEG keeps a flat colour within a few levels.
        Assert.InRange(middle.R, 48, 54);
        Assert.InRange(middle.G, 150, 156);
        Assert.InRange(middle.B, 250, 255);
    }
}
