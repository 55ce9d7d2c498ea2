using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SdNative.Tui.Engine;
using Terminal.Gui.App;
using Terminal.Gui.Drivers;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Time;

namespace SdNative.Tui.Tests;

/// <summary>
/// The whole UI headless, as Terminal.Gui 2.5 tests itself: an application on a virtual
/// clock with the ANSI driver, the main window begun (no blocking loop), keys injected in
/// Direct mode and the screen read back. The test's thread is the UI thread; background work
/// reaches it through Invoke, which the harness runs whenever it is woken by a new one.
/// </summary>
internal sealed class TuiHarness : IDisposable
{
    /// <summary>A guard against a hang, not a timing: waits end on events long before this.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(2);
    private readonly SemaphoreSlim _woken = new(0);
    private readonly SessionToken _token;

    private TuiHarness(IApplication app, TuiSession session, MainWindow window, SessionToken token)
    {
        App = app;
        Session = session;
        Window = window;
        _token = token;
        app.TimedEvents!.Added += (_, _) => _woken.Release();
    }

    public IApplication App { get; }
    public TuiSession Session { get; }
    public MainWindow Window { get; }

    public static TuiHarness Start(TuiOptions options, int cols = 120, int rows = 36)
    {
        var session = TuiApp.CreateSessionAsync(options, NullLogger.Instance, CancellationToken.None).GetAwaiter().GetResult();
        IApplication app = Application.Create(new VirtualTimeProvider());
        app.Init(DriverRegistry.Names.ANSI);
        app.Driver!.SetScreenSize(cols, rows);
        var window = new MainWindow(app, session);
        var token = app.Begin(window)!;
        return new TuiHarness(app, session, window, token);
    }

    public void Press(Key key) => App.InjectKey(key);

    public void Type(string text)
    {
        foreach (char c in text)
        {
            Press(c == ' ' ? Key.Space : char.IsUpper(c) ? new Key(char.ToLowerInvariant(c)).WithShift : new Key(c));
        }
    }

    /// <summary>Runs queued UI work until the condition holds; woken by each new Invoke.</summary>
    public void PumpUntil(Func<bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            App.TimedEvents!.RunTimers();
            if (done())
            {
                return;
            }
            if (clock.Elapsed > Limit)
            {
                throw new TimeoutException($"gave up waiting for {what}; jobs: {string.Join("; ", Session.Queue.Jobs)}; status: {Window.StatusText}");
            }
            _woken.Wait(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>Queues a 500-step run with F5, presses Esc once its first sampler step is
    /// reported (an event, not a clock) and returns the one result shown, the cancelled run.</summary>
    public GenerationJob GenerateThenCancelAfterTheFirstStep()
    {
        var screen = Window.Generate;
        var shown = new List<GenerationJob>();
        screen.ResultShown += shown.Add;
        using var stepped = new ManualResetEventSlim();
        Session.Queue.JobProgress += (_, u) =>
        {
            if (u.Total > 0 && u.Step >= 1)
            {
                stepped.Set();
            }
        };
        screen.Form.Steps!.Text = "500";
        screen.Form.Denoise!.Text = "1";

        Press(Key.F5);
        PumpUntil(() => stepped.IsSet, "the first sampler step");
        Press(Key.Esc);
        PumpUntil(() => shown.Count > 0, "the cancelled run");
        return Assert.Single(shown);
    }

    public string Screen()
    {
        App.LayoutAndDraw(true);
        return App.Driver!.ToString()!;
    }

    public void Dispose()
    {
        Session.Queue.CancelAll();
        Session.Queue.IdleAsync().Wait(Limit);
        App.TimedEvents!.RunTimers();
        App.End(_token);
        Window.Dispose();
        App.Dispose();
        Session.Dispose();
    }
}
