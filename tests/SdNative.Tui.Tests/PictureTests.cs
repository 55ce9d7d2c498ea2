using SdNative.Tui.Engine;
using SdNative.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.Drawing;
using Terminal.Gui.Drivers;
using Terminal.Gui.Time;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Tests;

/// <summary>Pictures on screen: our half-block view (two pixels a cell) and the Sixel path
/// forced on, as on a terminal that reported Sixel support.</summary>
public class PictureTests
{
    private static readonly (byte R, byte G, byte B) Red = (220, 20, 30), Green = (10, 200, 40), Blue = (20, 30, 210), White = (250, 250, 250);

    /// <summary>4×4 pixels: red top-left, green top-right, blue bottom-left, white bottom-right.</summary>
    private static RgbImage Quadrants()
    {
        var rgb = new byte[4 * 4 * 3];
        for (int y = 0; y < 4; y++)
        {
            for (int x = 0; x < 4; x++)
            {
                var c = (x < 2, y < 2) switch { (true, true) => Red, (false, true) => Green, (true, false) => Blue, _ => White };
                (rgb[(y * 4 + x) * 3], rgb[(y * 4 + x) * 3 + 1], rgb[(y * 4 + x) * 3 + 2]) = c;
            }
        }
        return new RgbImage(4, 4, rgb);
    }

    private static Color C((byte R, byte G, byte B) c) => new(c.R, c.G, c.B, 255);

    [Fact]
    public void TheHalfBlockViewsCellsCarryTheImagesColours()
    {
        using IApplication app = Application.Create(new VirtualTimeProvider());
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(10, 4);
        using var window = new Runnable();
        // 4×2 cells hold 4×4 pixels: row 0 shows pixel rows 0 (upper) and 1 (lower), row 1 rows 2 and 3.
        var view = new HalfBlockImageView { X = 0, Y = 0, Width = 4, Height = 2, Image = Quadrants() };
        window.Add(view);
        var token = app.Begin(window)!;
        app.LayoutAndDraw(true);
        var cells = app.Driver.Contents!;
        for (int x = 0; x < 4; x++)
        {
            var top = cells[0, x];
            var bottom = cells[1, x];
            Assert.Equal(HalfBlockImageView.HalfBlock, top.Grapheme);
            Assert.Equal(C(x < 2 ? Red : Green), top.Attribute!.Value.Foreground);
            Assert.Equal(C(x < 2 ? Red : Green), top.Attribute!.Value.Background);
            Assert.Equal(HalfBlockImageView.HalfBlock, bottom.Grapheme);
            Assert.Equal(C(x < 2 ? Blue : White), bottom.Attribute!.Value.Foreground);
            Assert.Equal(C(x < 2 ? Blue : White), bottom.Attribute!.Value.Background);
        }
        app.End(token);
    }

    [Fact]
    public void UpperAndLowerPixelsOfACellAreItsForegroundAndBackground()
    {
        // The quadrant image scaled into 2×1 cells: 2×2 pixels, one per quadrant.
        var pixels = HalfBlockImageView.Layout(Quadrants(), 2, 1);
        Assert.Equal((2, 2), (pixels.GetLength(0), pixels.GetLength(1)));
        Assert.Equal([C(Red), C(Green), C(Blue), C(White)], new[] { pixels[0, 0], pixels[1, 0], pixels[0, 1], pixels[1, 1] });
    }

    [Fact]
    public void WithSixelForcedOnThePaneSendsSixelOfThePanesPixelSize()
    {
        using IApplication app = Application.Create(new VirtualTimeProvider());
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(40, 20);
        app.Driver.SetSixelSupport(new SixelSupportResult { IsSupported = true, Resolution = new System.Drawing.Size(10, 20) });
        using var window = new Runnable();
        // 20×10 cells of 10×20 pixels: a 200×200 pixel box; a 2:1 picture fits it as 200×100.
        var pane = new PicturePane { X = 0, Y = 0, Width = 20, Height = 10 };
        window.Add(pane);
        var token = app.Begin(window)!;
        var wide = new RgbImage(8, 4, Enumerable.Repeat((byte)128, 8 * 4 * 3).ToArray());
        pane.Show(wide);
        app.LayoutAndDraw(true);

        Assert.True(pane.UsesRaster);
        Assert.True(pane.RasterView.IsUsingRasterGraphics);
        var image = Assert.Single(app.Driver.GetOutputBuffer().GetRasterImages());
        Assert.NotNull(image.Pixels);
        Assert.Equal((200, 100), (image.Pixels.GetLength(0), image.Pixels.GetLength(1)));
        Assert.Equal(new System.Drawing.Size(20, 5), image.DestinationCells.Size);
        Assert.StartsWith("\u001bP", image.EncodedSixel);
        Assert.Contains("\"1;1;200;100", image.EncodedSixel);
        app.End(token);
    }

    [Fact]
    public void WithKittyGraphicsReportedThePaneSendsKittyGraphics()
    {
        using IApplication app = Application.Create(new VirtualTimeProvider());
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(40, 20);
        app.Driver.SetKittyGraphicsSupport(new KittyGraphicsSupportResult { IsSupported = true, Resolution = new System.Drawing.Size(10, 20) });
        using var window = new Runnable();
        var pane = new PicturePane { X = 0, Y = 0, Width = 20, Height = 10 };
        window.Add(pane);
        var token = app.Begin(window)!;
        pane.Show(Quadrants());
        app.LayoutAndDraw(true);

        Assert.True(pane.UsesRaster);
        var image = Assert.Single(app.Driver.GetOutputBuffer().GetRasterImages());
        Assert.NotNull(image.Pixels);
        // The picture goes out whole; the terminal scales it into the cells.
        Assert.Equal(C(Red), image.Pixels[0, 0]);
        Assert.Equal(C(White), image.Pixels[image.Pixels.GetLength(0) - 1, image.Pixels.GetLength(1) - 1]);
        app.End(token);
    }

    [Fact]
    public void WithoutRasterSupportThePaneDrawsHalfBlocks()
    {
        using IApplication app = Application.Create(new VirtualTimeProvider());
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(20, 10);
        using var window = new Runnable();
        var pane = new PicturePane { X = 0, Y = 0, Width = 4, Height = 2 };
        window.Add(pane);
        var token = app.Begin(window)!;
        pane.Show(Quadrants());
        app.LayoutAndDraw(true);
        Assert.False(pane.UsesRaster);
        Assert.Empty(app.Driver.GetOutputBuffer().GetRasterImages());
        Assert.Equal(C(White), app.Driver.Contents![1, 3].Attribute!.Value.Background);
        app.End(token);
    }
}
