using SdNative.Tui.Engine;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Views;

/// <summary>
/// Shows a picture scaled to the pane: through Kitty graphics or Sixel (Terminal.Gui's
/// ImageView) when the terminal reported support for either, else our half-block view. The
/// choice is made at each new picture, so support detected after start-up is taken.
/// </summary>
public sealed class PicturePane : View
{
    private readonly HalfBlockImageView _cells = new() { Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly ImageView _raster = new() { Width = Dim.Fill(), Height = Dim.Fill(), Visible = false };

    public PicturePane()
    {
        Add(_cells, _raster);
    }

    public RgbImage? Picture { get; private set; }

    /// <summary>True while the picture goes out as Kitty graphics or Sixel.</summary>
    public bool UsesRaster => _raster.Visible;

    internal ImageView RasterView => _raster;
    internal HalfBlockImageView CellView => _cells;

    public void Show(RgbImage? picture)
    {
        Picture = picture;
        var driver = App?.Driver;
        bool raster = picture is not null && driver is not null &&
            (driver.SixelSupport?.IsSupported == true || driver.KittyGraphicsSupport?.IsSupported == true);
        _raster.Visible = raster;
        _cells.Visible = !raster;
        if (raster)
        {
            _raster.Image = PixelFit.Colors(picture!);
            _cells.Image = null;
        }
        else
        {
            _cells.Image = picture;
        }
        SetNeedsDraw();
    }
}
