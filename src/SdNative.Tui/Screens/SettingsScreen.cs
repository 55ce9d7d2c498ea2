using SdNative.Tui.Engine;
using SdNative.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Screens;

/// <summary>
/// Where this session runs and reads, editable: threads, device and the base, models, input and
/// output folders start as the command line set them. Tab moves between the fields; Enter in
/// any field (or the Apply button) checks them all and applies them to the next generation, or
/// shows each problem beside its field and changes nothing.
/// </summary>
[Screen("Settings", Key = "F6", Order = 4)]
public sealed class SettingsScreen : View, IScreen
{
    private const int LabelWidth = 10;
    private const int FieldWidth = 48;
    private readonly TuiSession _session;
    private readonly Dictionary<string, (TextField Field, PlainLabel Note)> _rows = [];
    private readonly PlainLabel _result = new() { X = 0, Width = Dim.Fill(), Text = "" };
    private int _row;

    public SettingsScreen(IApplication app, TuiSession session)
    {
        _session = session;
        Width = Dim.Fill();
        CanFocus = true;
        Add(new PlainLabel { X = 0, Y = _row++, Width = Dim.Fill(), Text = $"runs on   {session.Backend.Name}" });
        _row++;
        // Threads and device are the server's business in remote mode: shown, but not sent.
        AddRow(nameof(RunSettings.Threads), "threads");
        AddRow(nameof(RunSettings.Device), "device");
        AddRow(nameof(RunSettings.Base), "base");
        AddRow(nameof(RunSettings.Models), "models");
        AddRow(nameof(RunSettings.Input), "input");
        AddRow(nameof(RunSettings.Output), "output");
        var apply = new Button { Text = "Apply", X = LabelWidth, Y = ++_row };
        apply.Accepting += (_, e) =>
        {
            Apply();
            e.Handled = true;
        };
        _result.Y = ++_row;
        Add(apply, _result, new PlainLabel
        {
            X = 0, Y = _row + 2, Width = Dim.Fill(), Height = 4,
            Text = string.Join("\n",
                "Tab moves between fields, Enter applies. Threads and device give the next generation a new engine;",
                "the folders apply to the next generation and to history and the image picker. A generation already",
                "running keeps what it started with. A blank models/input/output folder is the one under base.",
                $"log file  {session.Options.ResolvedLogFile}"),
        });
        Show(RunSettings.From(session.Run));
    }

    /// <summary>The text field of a setting, by its <see cref="RunSettings"/> property name.</summary>
    public TextField Field(string name) => _rows[name].Field;

    /// <summary>What is shown beside a field: its problem, or the folder a blank one means.</summary>
    public string Note(string name) => _rows[name].Note.Text;

    /// <summary>The line under the fields saying what the last Apply did.</summary>
    public string Result => _result.Text;

    /// <summary>Checks every field; applies them all to the session, or none and shows why.</summary>
    public bool Apply()
    {
        var typed = new RunSettings(Typed(nameof(RunSettings.Threads)), Typed(nameof(RunSettings.Device)), Typed(nameof(RunSettings.Base)),
            Typed(nameof(RunSettings.Models)), Typed(nameof(RunSettings.Input)), Typed(nameof(RunSettings.Output)));
        var run = typed.Check(_session.Run, out var problems);
        foreach (var (name, row) in _rows)
        {
            row.Note.Text = problems.TryGetValue(name, out var problem) ? "✗ " + problem : "";
        }
        if (run is null)
        {
            _result.Text = "not applied: fix the fields marked ✗";
            _rows[problems.Keys.First()].Field.SetFocus();
            return false;
        }
        _session.Apply(run);
        Show(RunSettings.From(run));
        _result.Text = "applied: the next generation uses these settings";
        return true;
    }

    private string Typed(string name) => _rows[name].Field.Text;

    private void AddRow(string name, string label)
    {
        var field = new TextField { X = LabelWidth, Y = _row, Width = FieldWidth };
        var note = new PlainLabel { X = LabelWidth + FieldWidth + 1, Y = _row, Width = Dim.Fill(), Text = "" };
        // Enter in a field applies the whole form: no mouse, and no hunt for the button.
        field.Accepting += (_, e) =>
        {
            Apply();
            e.Handled = true;
        };
        Add(new PlainLabel { X = 0, Y = _row, Text = label }, field, note);
        _rows[name] = (field, note);
        _row++;
    }

    private void Show(RunSettings settings)
    {
        Field(nameof(RunSettings.Threads)).Text = settings.Threads;
        Field(nameof(RunSettings.Device)).Text = settings.Device;
        Field(nameof(RunSettings.Base)).Text = settings.Base;
        Field(nameof(RunSettings.Models)).Text = settings.Models;
        Field(nameof(RunSettings.Input)).Text = settings.Input;
        Field(nameof(RunSettings.Output)).Text = settings.Output;
        var folders = _session.Run.Folders();
        ShowDefault(nameof(RunSettings.Models), folders.ModelsDir);
        ShowDefault(nameof(RunSettings.Input), folders.InputDir);
        ShowDefault(nameof(RunSettings.Output), folders.OutputDir);
    }

    private void ShowDefault(string name, string folder)
    {
        if (Field(name).Text.Length == 0)
        {
            _rows[name].Note.Text = "blank: " + folder;
        }
    }
}
