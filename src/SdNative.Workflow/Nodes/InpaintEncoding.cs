using SdNative.Imaging;

namespace SdNative.Workflow.Nodes;

/// <summary>VAEEncodeForInpaint's preparation (nodes.py:371-408): mask resized to the image
/// (bilinear), both cropped to multiples of 8, mask grown by a k×k box, masked pixels set to grey.</summary>
public static class InpaintEncoding
{
    /// <returns>The pixels to encode and the noise mask [B, 1, H', W'] (0 or 1).</returns>
    public static (ImageBatch Pixels, Tensor4 NoiseMask) Prepare(ImageBatch pixels, MaskBatch mask, int growMaskBy)
    {
        int height = pixels.Height, width = pixels.Width, channels = pixels.Channels;
        var m = mask.Values.Reshape(mask.Batch, 1, mask.Height, mask.Width);
        if (m.Dim(2) != height || m.Dim(3) != width)
        {
            m = Upscale.Bilinear(m, width, height);
        }
        int h8 = height / 8 * 8, w8 = width / 8 * 8;
        int yOffset = height % 8 / 2, xOffset = width % 8 / 2;
        int batch = pixels.Batch, maskBatch = m.Dim(0);

        var rounded = new float[maskBatch * h8 * w8];
        for (int b = 0; b < maskBatch; b++)
        {
            for (int y = 0; y < h8; y++)
            {
                for (int x = 0; x < w8; x++)
                {
                    rounded[(b * h8 + y) * w8 + x] = MathF.Round(m.Data[((long)b * height + y + yOffset) * width + x + xOffset], MidpointRounding.ToEven);
                }
            }
        }

        var grown = new Tensor4([maskBatch, 1, h8, w8]);
        if (growMaskBy == 0)
        {
            Array.Copy(rounded, grown.Data, rounded.Length);
        }
        else
        {
            // conv2d with a ones(k×k) kernel and padding ceil((k-1)/2), clamped to 0..1, then
            // cut back to H'×W' (an even k gives one extra row and column).
            int k = growMaskBy, pad = (k - 1 + 1) / 2;
            for (int b = 0; b < maskBatch; b++)
            {
                for (int y = 0; y < h8; y++)
                {
                    for (int x = 0; x < w8; x++)
                    {
                        float sum = 0;
                        for (int dy = 0; dy < k; dy++)
                        {
                            int sy = y - pad + dy;
                            if (sy < 0 || sy >= h8) continue;
                            for (int dx = 0; dx < k; dx++)
                            {
                                int sx = x - pad + dx;
                                if (sx < 0 || sx >= w8) continue;
                                sum += rounded[(b * h8 + sy) * w8 + sx];
                            }
                        }
                        grown.Data[(b * h8 + y) * w8 + x] = MathF.Round(Math.Clamp(sum, 0f, 1f), MidpointRounding.ToEven);
                    }
                }
            }
        }

        var outPixels = new ImageBatch(batch, h8, w8, channels);
        for (int b = 0; b < batch; b++)
        {
            int mb = maskBatch == batch ? b : b % maskBatch;
            for (int y = 0; y < h8; y++)
            {
                for (int x = 0; x < w8; x++)
                {
                    float keep = 1f - rounded[(mb * h8 + y) * w8 + x];
                    for (int c = 0; c < channels; c++)
                    {
                        float v = pixels.Pixels.Data[pixels.Index(b, y + yOffset, x + xOffset, c)];
                        // Only the three colour channels are greyed.
                        outPixels.Pixels.Data[outPixels.Index(b, y, x, c)] = c < 3 ? (v - 0.5f) * keep + 0.5f : v;
                    }
                }
            }
        }
        return (outPixels, grown);
    }
}
