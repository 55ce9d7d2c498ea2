using SdNative.Tui.Engine;
using Terminal.Gui.Drawing;

namespace SdNative.Tui.Views;

/// <summary>Scaling a picture into a box while keeping its aspect ratio, and converting it into
/// Terminal.Gui's Color[x, y] grid.</summary>
public static class PixelFit
{
    /// <summary>The largest size with the image's aspect ratio inside width×height (at least 1×1).</summary>
    public static (int Width, int Height) Fit(int imageWidth, int imageHeight, int width, int height)
    {
        double scale = Math.Min((double)width / imageWidth, (double)height / imageHeight);
        return (Math.Clamp((int)Math.Floor(imageWidth * scale), 1, Math.Max(1, width)), Math.Clamp((int)Math.Floor(imageHeight * scale), 1, Math.Max(1, height)));
    }

    /// <summary>The image resampled to width×height, nearest pixel centre.</summary>
    public static Color[,] Resample(RgbImage image, int width, int height)
    {
        var grid = new Color[width, height];
        for (int y = 0; y < height; y++)
        {
            int sy = Math.Min(image.Height - 1, (int)((y + 0.5) * image.Height / height));
            for (int x = 0; x < width; x++)
            {
                int sx = Math.Min(image.Width - 1, (int)((x + 0.5) * image.Width / width));
                var (r, g, b) = image[sx, sy];
                grid[x, y] = new Color(r, g, b, 255);
            }
        }
        return grid;
    }

    public static Color[,] Colors(RgbImage image) => Resample(image, image.Width, image.Height);
}
