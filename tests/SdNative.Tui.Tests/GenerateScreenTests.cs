using SdNative.Tui.Engine;
using SdNative.Tui.Screens;
using SdNative.Tui.Views;
using SdNative.Tui.Workflow;
using Terminal.Gui.Input;

namespace SdNative.Tui.Tests;

/// <summary>The generate loop as a person drives it: keys in, the tiny model runs, the screen
/// shows progress, the preview and the result, and history lists the new file.</summary>
public class GenerateScreenTests
{
    [SkippableTheory]
    [InlineData("ctrl+enter")]
    [InlineData("f5")]
    public void TypingAPromptAndPressingTheGenerateKeyRunsToCompletion(string keyName)
    {
        using var workspace = TuiWorkspace.WithTinyModel();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var screen = tui.Window.Generate;
        var shown = new List<GenerationJob>();
        int previews = 0;
        screen.ResultShown += shown.Add;
        tui.Session.Queue.JobProgress += (_, u) => Interlocked.Add(ref previews, u.Preview is null ? 0 : 1);
        screen.Form.Steps!.Text = "2";
        screen.Form.Positive!.SetFocus();
        ((Terminal.Gui.ViewBase.View)screen.Form.Positive).Text = "";
        tui.Type("a red fox");

        tui.Press(keyName == "f5" ? Key.F5 : Key.Enter.WithCtrl);
        tui.PumpUntil(() => shown.Count > 0, "the run's result");

        var job = Assert.Single(shown);
        Assert.True(job.State == JobState.Done, job.Error);
        string file = Assert.Single(workspace.OutputFiles());
        // The file's embedded workflow carries what was typed: the form, not the file, drove the run.
        var saved = GenerateInputs.Find(PngWorkflow.Read(file)!);
        Assert.Equal("a red fox", saved.Get(saved.PositiveNode, "text"));
        Assert.Equal("2", saved.Get(saved.SamplerNode, "steps"));
        // The seed guide's sampler is an alias the runner accepts: the form keeps it as written.
        Assert.Equal("dpm++ 2m karras", saved.Get(saved.SamplerNode, "sampler_name"));
        Assert.True(previews >= 2, $"one preview per step expected, got {previews}");
        Assert.Contains(Path.GetFileName(file), screen.ResultText);
        Assert.Same(job.Outcome!.Image, screen.Picture.Picture);
        string text = tui.Screen();
        Assert.Contains(HalfBlockImageView.HalfBlock, text);
        Assert.Contains("done in", text);
        // The result line, right of the preview frame's edge, names the file as it is:
        // Terminal.Gui would hide the first '_' of a file name as a hot-key mark.
        Assert.Contains("│" + Path.GetFileName(file), text);
        var history = tui.Window.Screen<HistoryScreen>();
        Assert.Equal(file, Assert.Single(history.Entries).Path);
    }

    [SkippableFact]
    public void TheSeedFollowsItsRuleAfterEachRunAndAnUnchangedPromptShowsItsEarlierImage()
    {
        using var workspace = TuiWorkspace.WithTinyModel();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var screen = tui.Window.Generate;
        var shown = new List<GenerationJob>();
        screen.ResultShown += shown.Add;
        var form = screen.Form;
        form.Steps!.Text = "1";
        string Seed(GenerationJob job) => GenerateInputs.Find(job.Prompt).Get("sampler", "seed")!;

        // ComfyUI's default rule: the run takes the seed shown, then a random one replaces it.
        Assert.Equal("randomize", form.SeedControl!.Text);
        tui.Press(Key.F5);
        tui.PumpUntil(() => shown.Count == 1, "the first run");
        Assert.Equal("12345", Seed(shown[0]));
        Assert.NotEqual("12345", form.Seed!.Text);

        form.SeedControl.Text = "fixed";
        string second = form.Seed.Text;
        tui.Press(Key.F5);
        tui.PumpUntil(() => shown.Count == 2, "the second run");
        Assert.Equal(second, Seed(shown[1]));
        Assert.Equal(second, form.Seed.Text);
        Assert.Equal(2, workspace.OutputFiles().Length);
        // The first result moved beside the second, to compare.
        Assert.Same(shown[0].Outcome!.Image, screen.Previous.Picture);
        Assert.Same(shown[1].Outcome!.Image, screen.Picture.Picture);
        Assert.StartsWith("before: " + Path.GetFileName(shown[0].Outcome!.Files[0]) + " · seed 12345", screen.PreviousText);

        // The same prompt again runs nothing (the runner's cache) and shows the file it wrote.
        tui.Press(Key.F5);
        tui.PumpUntil(() => shown.Count == 3, "the third run");
        Assert.Equal(JobState.Done, shown[2].State);
        Assert.True(shown[2].Outcome!.Cached);
        Assert.Equal(shown[1].Outcome!.Files, shown[2].Outcome!.Files);
        Assert.Equal(2, workspace.OutputFiles().Length);
        Assert.StartsWith("unchanged, nothing ran: " + Path.GetFileName(shown[1].Outcome!.Files[0]), screen.ResultText);
    }

    [SkippableFact]
    public void EscCancelsTheRunningGenerationAndDoesNotQuit()
    {
        using var workspace = TuiWorkspace.WithTinyModel();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));

        var job = tui.GenerateThenCancelAfterTheFirstStep();
        Assert.Equal(JobState.Cancelled, job.State);
        Assert.True(job.LastUpdate!.Step < 500, "cancelled before the end");
        Assert.Empty(workspace.OutputFiles());
        Assert.False(tui.Window.QuitRequested);
        Assert.Contains("cancelled", tui.Screen());
    }

    [Fact]
    public void CtrlQQuitsAndAnOutOfRangeInputQueuesNothing()
    {
        using var workspace = TuiWorkspace.Empty();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var screen = tui.Window.Generate;
        screen.Form.Denoise!.Text = "1.5";
        tui.Press(Key.F5);
        Assert.Empty(tui.Session.Queue.Jobs);
        Assert.Contains("Denoise: 1.5 is outside 0..1", tui.Window.StatusText);

        tui.Press(Key.Q.WithCtrl);
        Assert.True(tui.Window.QuitRequested);
    }

    [Fact]
    public void UpAndDownMoveANumberOneComfyStepWithinItsRange()
    {
        using var workspace = TuiWorkspace.Empty();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var denoise = tui.Window.Generate.Form.Denoise!;
        denoise.SetFocus();
        // The seed guide's denoise is 0.65; KSampler's denoise steps by 0.01 up to 1.0.
        tui.Press(Key.CursorUp);
        Assert.Equal("0.66", denoise.Text);
        denoise.Text = "1";
        tui.Press(Key.CursorUp);
        Assert.Equal("1", denoise.Text);
    }
}
