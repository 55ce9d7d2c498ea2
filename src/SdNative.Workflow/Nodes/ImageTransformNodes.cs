namespace SdNative.Workflow.Nodes;

/// <summary>ComfyUI's ImageCrop (comfy_extras/nodes_images.py) and ImagePadForOutpaint
/// (nodes.py) on IMAGE [B, H, W, C].</summary>
public static class ImageTransformNodes
{
    /// <summary>ImageCrop: x and y are clamped to the last column/row, then the window
    /// [y, y+height) x [x, x+width) is clipped to the image, as a Python slice is.</summary>
    public static ImageBatch Crop(ImageBatch image, int width, int height, int x, int y)
    {
        x = Math.Min(x, image.Width - 1);
        y = Math.Min(y, image.Height - 1);
        int newW = Math.Min(image.Width, x + width) - x, newH = Math.Min(image.Height, y + height) - y;
        var result = new ImageBatch(image.Batch, newH, newW, image.Channels);
        for (int b = 0; b < image.Batch; b++)
        {
            for (int yy = 0; yy < newH; yy++)
            {
                // One row of the window is contiguous in both tensors.
                Array.Copy(image.Pixels.Data, image.Index(b, y + yy, x, 0), result.Pixels.Data, result.Index(b, yy, 0, 0), (long)newW * image.Channels);
            }
        }
        return result;
    }

    /// <summary>ImagePadForOutpaint: the image on a 0.5 grey canvas grown by left/top/right/bottom
    /// pixels, and a mask that is 1 on the new border. Inside the old image the mask is 0, or,
    /// with feathering f (when 2f is below both sides), ((f - d) / f)² within d &lt; f pixels of a
    /// padded side (d = distance to the nearest padded side; unpadded sides do not count).</summary>
    public static (ImageBatch Image, MaskBatch Mask) PadForOutpaint(ImageBatch image, int left, int top, int right, int bottom, int feathering)
    {
        int h = image.Height, w = image.Width, newH = h + top + bottom, newW = w + left + right;
        var padded = new ImageBatch(image.Batch, newH, newW, image.Channels);
        Array.Fill(padded.Pixels.Data, 0.5f);
        for (int b = 0; b < image.Batch; b++)
        {
            for (int yy = 0; yy < h; yy++)
            {
                Array.Copy(image.Pixels.Data, image.Index(b, yy, 0, 0), padded.Pixels.Data, padded.Index(b, top + yy, left, 0), (long)w * image.Channels);
            }
        }
        var mask = new MaskBatch(1, newH, newW, 1f);
        bool feather = feathering > 0 && feathering * 2 < h && feathering * 2 < w;
        for (int i = 0; i < h; i++)
        {
            for (int j = 0; j < w; j++)
            {
                float value = 0f;
                if (feather)
                {
                    int d = Math.Min(Math.Min(top != 0 ? i : h, bottom != 0 ? h - i : h), Math.Min(left != 0 ? j : w, right != 0 ? w - j : w));
                    if (d < feathering)
                    {
                        double v = (feathering - d) / (double)feathering;
                        value = (float)(v * v);
                    }
                }
                mask.Values.Data[(long)(top + i) * newW + left + j] = value;
            }
        }
        return (padded, mask);
    }

    internal static Task<object?[]> Crop(NodeExecution e) =>
        LatentNodes.Done(Crop(e.Get<ImageBatch>("image"), (int)e.Int("width"), (int)e.Int("height"), (int)e.Int("x"), (int)e.Int("y")));

    internal static Task<object?[]> PadForOutpaint(NodeExecution e)
    {
        var (image, mask) = PadForOutpaint(e.Get<ImageBatch>("image"), (int)e.Int("left"), (int)e.Int("top"), (int)e.Int("right"), (int)e.Int("bottom"), (int)e.Int("feathering"));
        return LatentNodes.Done(image, mask);
    }
}
