using System.Text;
using Terminal.Gui.Views;

namespace SdNative.Tui.Views;

/// <summary>A label that shows its text as it is: Terminal.Gui takes '_' as a hot-key marker
/// and hides it, which turns file names such as img2img_00001_.png into img2img00001_.png.</summary>
public sealed class PlainLabel : Label
{
    public PlainLabel()
    {
        HotKeySpecifier = new Rune(0xFFFF);
    }
}
