using System.Globalization;
using SdNative.Tui.Workflow;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace SdNative.Tui.Views;

/// <summary>A text field for a number input: Up and Down (or the mouse wheel's keys) move it
/// one ComfyUI step within the input's min and max.</summary>
public sealed class NumberField : TextField
{
    public InputRange? Range { get; set; }

    protected override bool OnKeyDown(Key key)
    {
        if (Range is not null && (key == Key.CursorUp || key == Key.CursorDown) &&
            double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            double next = Range.Nudge(value, key == Key.CursorUp ? 1 : -1);
            Text = Range.Type == "INT" ? ((decimal)next).ToString("0", CultureInfo.InvariantCulture) : next.ToString("0.###", CultureInfo.InvariantCulture);
            return true;
        }
        return base.OnKeyDown(key);
    }
}
