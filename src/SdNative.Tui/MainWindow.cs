using System.Reflection;
using SdNative.Tui.Screens;
using SdNative.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui;

/// <summary>
/// The one window: the screens (found by their [Screen] attribute, one shown at a time), a
/// status line and a status bar naming every key. Keys that must work from any field are
/// taken at the application level: Ctrl+Enter and F5 queue, Esc cancels (never quits), Ctrl+Q
/// quits after cancelling, the function keys switch screens.
/// </summary>
public sealed class MainWindow : Window
{
    private readonly IApplication _app;
    private readonly TuiSession _session;
    private readonly PlainLabel _status = new() { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Text = "" };
    private readonly List<(ScreenAttribute Meta, View Screen)> _screens = [];

    public MainWindow(IApplication app, TuiSession session)
    {
        _app = app;
        _session = session;
        Title = $"SdNative — {Path.GetFileName(session.Origin)} ({session.Backend.Name})";
        foreach (var (meta, type) in ScreenTypes())
        {
            var screen = (View)Activator.CreateInstance(type, app, session)!;
            screen.Height = Dim.Fill(2);
            screen.Visible = false;
            _screens.Add((meta, screen));
            Add(screen);
        }
        Generate.Status += ShowStatus;
        // Generate, cancel and quit come first so a narrow terminal still shows them.
        var shortcuts = new List<Shortcut>
        {
            new(Key.Enter.WithCtrl, "Run · F5", () => Generate.QueueGeneration()),
            new(Key.Esc, "Cancel", () => Generate.CancelRunning()),
            new(Key.Q.WithCtrl, "Quit", Quit),
        };
        shortcuts.AddRange(_screens.Select(s => new Shortcut(KeyOf(s.Meta), s.Meta.Name, () => Show(s.Screen))));
        Add(_status, new StatusBar(shortcuts));
        session.WorkflowChanged += () => Title = $"SdNative — {Path.GetFileName(session.Origin)} ({session.Backend.Name})";
        app.Keyboard.KeyDown += OnKeyDown;
        Show(_screens[0].Screen);
    }

    public GenerateScreen Generate => (GenerateScreen)_screens[0].Screen;

    public IReadOnlyList<View> Screens => _screens.Select(s => s.Screen).ToList();

    public View Current => _screens.First(s => s.Screen.Visible).Screen;

    public T Screen<T>() where T : View => _screens.Select(s => s.Screen).OfType<T>().Single();

    public string StatusText => _status.Text;

    /// <summary>Set once Ctrl+Q has cancelled the queue and asked the application to stop.</summary>
    public bool QuitRequested { get; private set; }

    /// <summary>Every screen type with its attribute, in status-bar order.</summary>
    public static IReadOnlyList<(ScreenAttribute Meta, Type Type)> ScreenTypes() =>
        typeof(MainWindow).Assembly.GetTypes()
            .Select(t => (Meta: t.GetCustomAttribute<ScreenAttribute>(), Type: t))
            .Where(s => s.Meta is not null && typeof(IScreen).IsAssignableFrom(s.Type))
            .Select(s => (s.Meta!, s.Type))
            .OrderBy(s => s.Item1.Order)
            .ToList();

    public void Show(View screen)
    {
        if (screen != Generate && Generate.Visible)
        {
            Generate.Form.CommitValid();
        }
        foreach (var (_, s) in _screens)
        {
            s.Visible = s == screen;
        }
        ((IScreen)screen).OnShown();
        screen.SetFocus();
        SetNeedsDraw();
    }

    public void ShowStatus(string text) => _status.Text = text;

    public void Quit()
    {
        QuitRequested = true;
        _session.Queue.CancelAll();
        _app.RequestStop();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _app.Keyboard.KeyDown -= OnKeyDown;
        }
        base.Dispose(disposing);
    }

    private static Key KeyOf(ScreenAttribute meta) => Key.TryParse(meta.Key, out var key) ? key : throw new InvalidOperationException($"bad screen key {meta.Key}");

    private void OnKeyDown(object? sender, Key key)
    {
        if (key == Key.Enter.WithCtrl || key == Key.F5)
        {
            Show(Generate);
            Generate.QueueGeneration();
        }
        else if (key == Key.Esc)
        {
            // Esc only ever cancels: Terminal.Gui's default quit key must not end the session.
            Generate.CancelRunning();
        }
        else if (key == Key.Q.WithCtrl)
        {
            Quit();
        }
        else if (_screens.FirstOrDefault(s => KeyOf(s.Meta) == key) is { Screen: not null } target)
        {
            Show(target.Screen);
        }
        else
        {
            return;
        }
        key.Handled = true;
    }
}
