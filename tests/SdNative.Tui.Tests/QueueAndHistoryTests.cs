using SdNative.Tui.Engine;
using SdNative.Tui.Screens;
using SdNative.Tui.Workflow;
using Terminal.Gui.Input;

namespace SdNative.Tui.Tests;

/// <summary>The queue panel cancels any run by key; the history re-runs an image's workflow
/// with a new seed.</summary>
public class QueueAndHistoryTests
{
    [SkippableFact]
    public void DeleteInTheQueueCancelsTheSelectedRunQueuedOrRunning()
    {
        using var workspace = TuiWorkspace.WithTinyModel();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var form = tui.Window.Generate.Form;
        form.Steps!.Text = "500";
        form.Denoise!.Text = "1";
        using var stepped = new ManualResetEventSlim();
        tui.Session.Queue.JobProgress += (_, u) =>
        {
            if (u.Step >= 1)
            {
                stepped.Set();
            }
        };
        tui.Press(Key.F5);
        tui.Press(Key.F5);
        tui.PumpUntil(() => stepped.IsSet, "the first run's first step");

        tui.Press(Key.F2);
        var queue = tui.Window.Screen<QueueScreen>();
        Assert.Equal(2, queue.Lines.Count);
        Assert.StartsWith("#2 queued", queue.Lines[1]);
        tui.Press(Key.End);
        tui.Press(Key.Delete);
        tui.PumpUntil(() => queue.Lines[1].StartsWith("#2 cancelled", StringComparison.Ordinal), "the queued run's cancellation");
        Assert.StartsWith("#1 running", queue.Lines[0]);
        tui.Press(Key.Home);
        tui.Press(Key.Delete);
        tui.PumpUntil(() => queue.Lines[0].StartsWith("#1 cancelled", StringComparison.Ordinal), "the running run's cancellation");
        Assert.Empty(workspace.OutputFiles());
        Assert.All(tui.Session.Queue.Jobs, j => Assert.Equal(JobState.Cancelled, j.State));
    }

    [SkippableFact]
    public void CtrlRInTheHistoryRunsAnImagesWorkflowAgainWithANewSeed()
    {
        using var workspace = TuiWorkspace.WithTinyModel();
        Directory.CreateDirectory(workspace.Output);
        var earlier = WorkflowReloadTests.Workflow("again please", seed: 5, denoise: 0.5);
        earlier["sampler"]!["inputs"]!["steps"] = 1;
        WorkflowReloadTests.WritePng(Path.Combine(workspace.Output, "earlier.png"), earlier);
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var done = new List<GenerationJob>();
        tui.Session.Queue.JobChanged += j =>
        {
            if (j.IsFinished)
            {
                lock (done)
                {
                    done.Add(j);
                }
            }
        };

        tui.Press(Key.F3);
        tui.Press(Key.R.WithCtrl);
        tui.PumpUntil(() => { lock (done) { return done.Count == 1; } }, "the re-run");

        var job = done[0];
        Assert.True(job.State == JobState.Done, job.Error);
        var ran = GenerateInputs.Find(job.Prompt);
        Assert.Equal("again please", ran.Get(ran.PositiveNode, "text"));
        Assert.NotEqual("5", ran.Get(ran.SamplerNode, "seed"));
        string made = Assert.Single(job.Outcome!.Files);
        var history = tui.Window.Screen<HistoryScreen>();
        tui.PumpUntil(() => history.Entries.Count == 2, "the history's new entry");
        Assert.Equal(made, history.Entries[0].Path);
    }
}
