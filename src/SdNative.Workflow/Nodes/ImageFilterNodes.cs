namespace SdNative.Workflow.Nodes;

/// <summary>ComfyUI's ImageBlur and ImageSharpen (comfy_extras/nodes_post_processing.py):
/// a (2r+1)² kernel applied per channel over the image reflect-padded by r.</summary>
public static class ImageFilterNodes
{
    /// <summary>ComfyUI's gaussian_kernel: samples on linspace(-1, 1, size) in both axes (not
    /// pixel units), exp(-d² / 2σ²), normalised to sum 1. Row-major [size, size].</summary>
    public static double[] GaussianKernel(int size, double sigma)
    {
        var kernel = new double[size * size];
        double sum = 0;
        for (int i = 0; i < size; i++)
        {
            for (int j = 0; j < size; j++)
            {
                double x = Coordinate(i, size), y = Coordinate(j, size);
                double g = Math.Exp(-(x * x + y * y) / (2.0 * sigma * sigma));
                kernel[i * size + j] = g;
                sum += g;
            }
        }
        for (int k = 0; k < kernel.Length; k++)
        {
            kernel[k] /= sum;
        }
        return kernel;
    }

    private static double Coordinate(int i, int size) => size == 1 ? -1.0 : -1.0 + 2.0 * i / (size - 1);

    /// <summary>ImageBlur: the Gaussian kernel of radius blurRadius; values are not clamped.</summary>
    public static ImageBatch Blur(ImageBatch image, int blurRadius, double sigma) =>
        blurRadius == 0 ? image : Convolve(image, blurRadius, GaussianKernel(2 * blurRadius + 1, sigma), clamp: false);

    /// <summary>ImageSharpen: the Gaussian kernel times -10·alpha, with the centre raised so the
    /// kernel sums to 1; the result is clamped to 0..1.</summary>
    public static ImageBatch Sharpen(ImageBatch image, int sharpenRadius, double sigma, double alpha)
    {
        if (sharpenRadius == 0)
        {
            return image;
        }
        int size = 2 * sharpenRadius + 1;
        var kernel = GaussianKernel(size, sigma);
        for (int k = 0; k < kernel.Length; k++)
        {
            kernel[k] *= -(alpha * 10);
        }
        int center = size / 2 * size + size / 2;
        kernel[center] = kernel[center] - kernel.Sum() + 1.0;
        return Convolve(image, sharpenRadius, kernel, clamp: true);
    }

    private static ImageBatch Convolve(ImageBatch image, int radius, double[] kernel, bool clamp)
    {
        if (radius >= image.Height || radius >= image.Width)
        {
            // torch's reflect padding needs the padding to be smaller than the side.
            throw new ArgumentException($"a radius of {radius} needs an image larger than {radius}x{radius} pixels; this one is {image.Width}x{image.Height}");
        }
        int size = 2 * radius + 1, channels = image.Channels;
        var result = new ImageBatch(image.Batch, image.Height, image.Width, channels);
        for (int b = 0; b < image.Batch; b++)
        {
            for (int y = 0; y < image.Height; y++)
            {
                for (int x = 0; x < image.Width; x++)
                {
                    for (int c = 0; c < channels; c++)
                    {
                        double acc = 0;
                        for (int i = 0; i < size; i++)
                        {
                            int sy = Reflect(y + i - radius, image.Height);
                            for (int j = 0; j < size; j++)
                            {
                                acc += kernel[i * size + j] * image.Pixels.Data[image.Index(b, sy, Reflect(x + j - radius, image.Width), c)];
                            }
                        }
                        result.Pixels.Data[result.Index(b, y, x, c)] = (float)(clamp ? Math.Clamp(acc, 0.0, 1.0) : acc);
                    }
                }
            }
        }
        return result;
    }

    /// <summary>Reflect padding without repeating the edge: -1 → 1, n → n-2.</summary>
    private static int Reflect(int i, int n) => i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;

    internal static Task<object?[]> Blur(NodeExecution e) =>
        LatentNodes.Done(Blur(e.Get<ImageBatch>("image"), (int)e.Int("blur_radius"), e.Float("sigma")));

    internal static Task<object?[]> Sharpen(NodeExecution e) =>
        LatentNodes.Done(Sharpen(e.Get<ImageBatch>("image"), (int)e.Int("sharpen_radius"), e.Float("sigma"), e.Float("alpha")));
}
