using SdNative.Tui.Engine;
using Terminal.Gui.Drawing;
using Terminal.Gui.ViewBase;
using Attribute = Terminal.Gui.Drawing.Attribute;

namespace SdNative.Tui.Views;

/// <summary>
/// A picture drawn with the upper half block '▀': each cell shows two pixels, the upper as the
/// foreground colour and the lower as the background. Terminal.Gui's own cell mode paints one
/// pixel per cell, half this vertical resolution. Works in any terminal with true colour.
/// </summary>
public sealed class HalfBlockImageView : View
{
    public const string HalfBlock = "▀";

    private RgbImage? _image;

    public RgbImage? Image
    {
        get => _image;
        set
        {
            _image = value;
            SetNeedsDraw();
        }
    }

    /// <summary>The pixel grid drawn into cols×rows cells: rows*2 pixels high at most.</summary>
    public static Color[,] Layout(RgbImage image, int cols, int rows)
    {
        var (w, h) = PixelFit.Fit(image.Width, image.Height, cols, rows * 2);
        return PixelFit.Resample(image, w, h);
    }

    protected override bool OnDrawingContent(DrawContext? context)
    {
        if (_image is null || Viewport.Width <= 0 || Viewport.Height <= 0)
        {
            return false;
        }
        var pixels = Layout(_image, Viewport.Width, Viewport.Height);
        int width = pixels.GetLength(0), height = pixels.GetLength(1);
        for (int row = 0; row * 2 < height; row++)
        {
            for (int x = 0; x < width; x++)
            {
                var top = pixels[x, row * 2];
                // An odd last row has no lower pixel: repeat the upper so the cell is one colour.
                var bottom = row * 2 + 1 < height ? pixels[x, row * 2 + 1] : top;
                SetAttribute(new Attribute(top, bottom));
                AddStr(x, row, HalfBlock);
            }
        }
        context?.AddDrawnRectangle(new System.Drawing.Rectangle(0, 0, width, (height + 1) / 2));
        return true;
    }
}
