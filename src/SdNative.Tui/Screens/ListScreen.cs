using System.Collections.ObjectModel;
using SdNative.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Screens;

/// <summary>The shape the queue, history and node screens share: a heading line over a list of
/// lines that the screen rebuilds from the session.</summary>
public abstract class ListScreen : View
{
    private readonly ObservableCollection<string> _lines = [];

    protected ListScreen(IApplication app, TuiSession session, string heading)
    {
        Ui = app;
        Session = session;
        Width = Dim.Fill();
        CanFocus = true;
        Heading = new PlainLabel { Text = heading, X = 0, Y = 0, Width = Dim.Fill() };
        List = new ListView { X = 0, Y = 1, Width = Dim.Fill(), Height = Dim.Fill() };
        List.SetSource(_lines);
        Add(Heading, List);
    }

    protected IApplication Ui { get; }
    protected TuiSession Session { get; }
    protected PlainLabel Heading { get; }
    protected ListView List { get; }

    public IReadOnlyList<string> Lines => _lines;

    /// <summary>The selected line's index, when one is selected.</summary>
    protected int? SelectedIndex => List.SelectedItem is int i && i >= 0 && i < _lines.Count ? i : null;

    protected void SetLines(IEnumerable<string> lines)
    {
        _lines.Clear();
        foreach (var line in lines)
        {
            _lines.Add(line);
        }
        SetNeedsDraw();
    }
}
