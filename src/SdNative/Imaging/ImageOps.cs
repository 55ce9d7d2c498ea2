namespace SdNative;

/// <summary>Small pixel helpers shared by the image code.</summary>
public static class ImageOps
{
    /// <summary>The first three channels of an RGBA batch (what VAEEncode uses).</summary>
    public static ImageBatch DropAlpha(ImageBatch image)
    {
        if (image.Channels == 3)
        {
            return image;
        }
        if (image.Channels < 3)
        {
            throw new ArgumentException($"{image} has fewer than 3 channels.", nameof(image));
        }
        var result = new ImageBatch(image.Batch, image.Height, image.Width, 3);
        var src = image.Pixels.Data;
        var dst = result.Pixels.Data;
        long pixels = (long)image.Batch * image.Height * image.Width;
        for (long p = 0; p < pixels; p++)
        {
            dst[p * 3] = src[p * image.Channels];
            dst[p * 3 + 1] = src[p * image.Channels + 1];
            dst[p * 3 + 2] = src[p * image.Channels + 2];
        }
        return result;
    }
}
