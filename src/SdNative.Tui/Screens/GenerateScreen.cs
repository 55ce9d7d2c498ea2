using SdNative.Tui.Engine;
using SdNative.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Screens;

/// <summary>
/// The generate screen: the inputs a person edits (left), and the live preview, progress and
/// result (right), with the result before it beside the new one to compare. Ctrl+Enter or F5 queue a run (the window routes those keys here); Esc
/// cancels the running one.
/// </summary>
[Screen("Generate", Key = "F1", Order = 0)]
public sealed partial class GenerateScreen : View, IScreen
{
    private readonly IApplication _app;
    private readonly TuiSession _session;
    private readonly View _formHost = new() { X = 0, Y = 0, Width = Dim.Percent(50), Height = Dim.Fill(), CanFocus = true };
    private readonly PicturePane _picture = new() { X = 0, Y = 0, Width = Dim.Percent(50), Height = Dim.Fill(4) };
    private readonly PicturePane _previous = new() { Y = 1, Width = Dim.Fill(), Height = Dim.Fill(4) };
    private readonly PlainLabel _previousText = new() { Y = 0, Width = Dim.Fill(), Text = "" };
    private readonly ProgressBar _bar = new() { X = 0, Y = Pos.AnchorEnd(4), Width = Dim.Fill(), Height = 1 };
    private readonly PlainLabel _progressText = new() { X = 0, Y = Pos.AnchorEnd(3), Width = Dim.Fill(), Text = "idle" };
    private readonly PlainLabel _resultText = new() { X = 0, Y = Pos.AnchorEnd(2), Width = Dim.Fill(), Height = 2, Text = "" };
    private GenerateForm? _form;

    public GenerateScreen(IApplication app, TuiSession session)
    {
        _app = app;
        _session = session;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
        var right = new FrameView { Title = "Preview", X = Pos.Right(_formHost), Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };
        _previous.X = Pos.Right(_picture) + 1;
        _previousText.X = Pos.Right(_picture) + 1;
        right.Add(_picture, _previousText, _previous, _bar, _progressText, _resultText);
        Add(_formHost, right);
        BuildForm();
        session.WorkflowChanged += BuildForm;
        session.Queue.JobProgress += OnJobProgress;
        session.Queue.JobChanged += OnJobChanged;
    }

    /// <summary>The form's editors, for tests and the node view.</summary>
    public GenerateForm Form => _form!;

    public PicturePane Picture => _picture;

    /// <summary>The result before the last one, kept to compare against.</summary>
    public PicturePane Previous => _previous;

    public string PreviousText => _previousText.Text;
    public string ProgressText => _progressText.Text;
    public string ResultText => _resultText.Text;

    /// <summary>Raised on the UI thread when the screen has shown a finished job's result (or its failure).</summary>
    public event Action<GenerationJob>? ResultShown;

    /// <summary>A short message for the status line (set by queueing, errors, cancellation).</summary>
    public event Action<string>? Status;

    private void BuildForm()
    {
        if (_form is not null)
        {
            _formHost.Remove(_form);
            _form.Dispose();
        }
        _form = new GenerateForm(_session) { Width = Dim.Fill(), Height = Dim.Fill() };
        _formHost.Add(_form);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _session.WorkflowChanged -= BuildForm;
            _session.Queue.JobProgress -= OnJobProgress;
            _session.Queue.JobChanged -= OnJobChanged;
        }
        base.Dispose(disposing);
    }
}
