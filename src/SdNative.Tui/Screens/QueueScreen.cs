using SdNative.Tui.Engine;
using Terminal.Gui.App;
using Terminal.Gui.Input;

namespace SdNative.Tui.Screens;

/// <summary>Every run of this session, queued, running or finished; Delete cancels the
/// selected one.</summary>
[Screen("Queue", Key = "F2", Order = 1)]
public sealed class QueueScreen : ListScreen, IScreen
{
    public QueueScreen(IApplication app, TuiSession session)
        : base(app, session, "Runs of this session — Delete cancels the selected one")
    {
        List.KeyDown += (_, key) =>
        {
            // Letters would not arrive: the list takes them to jump to a line starting with one.
            if (key == Key.Delete)
            {
                CancelSelected();
                key.Handled = true;
            }
        };
        session.Queue.JobChanged += OnJobChanged;
        Refresh();
    }

    public void OnShown() => Refresh();

    public void CancelSelected()
    {
        var jobs = Session.Queue.Jobs;
        if (SelectedIndex is int i && i < jobs.Count)
        {
            Session.Queue.Cancel(jobs[i]);
        }
    }

    private void OnJobChanged(GenerationJob job) => Ui.Invoke(Refresh);

    private void Refresh() => SetLines(Session.Queue.Jobs.Select(j => j.ToString()));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Session.Queue.JobChanged -= OnJobChanged;
        }
        base.Dispose(disposing);
    }
}
