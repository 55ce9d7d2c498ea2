using SdNative.Tui.Engine;
using SdNative.Tui.Screens;
using Terminal.Gui.Input;

namespace SdNative.Tui.Tests;

/// <summary>The settings screen as a person uses it: F6, type into a field, Enter; the next
/// generation follows the new settings, a bad one is shown at its field and changes nothing.</summary>
public class SettingsScreenTests
{
    [Fact]
    public void TheSettingsScreenShowsTheSettingsInForce()
    {
        using var workspace = TuiWorkspace.Empty();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        tui.Press(Key.F6);
        var settings = tui.Window.Screen<SettingsScreen>();
        Assert.Same(settings, tui.Window.Current);
        Assert.Equal("2", settings.Field(nameof(RunSettings.Threads)).Text);
        Assert.Equal("cpu", settings.Field(nameof(RunSettings.Device)).Text);
        Assert.Equal(workspace.Base, settings.Field(nameof(RunSettings.Base)).Text);
        // A blank output folder is the one under base, and the screen says which.
        Assert.Equal("", settings.Field(nameof(RunSettings.Output)).Text);
        Assert.Equal("blank: " + workspace.Output, settings.Note(nameof(RunSettings.Output)));
        Assert.Contains("blank: " + workspace.Output, tui.Screen());
    }

    [SkippableFact]
    public void ANewOutputFolderTakesTheNextGeneration() => WithTinyModelAndAnotherFolder((workspace, tui, shown, elsewhere) =>
    {
        tui.Window.Generate.Form.Steps!.Text = "1";
        tui.Press(Key.F6);
        var settings = tui.Window.Screen<SettingsScreen>();
        var output = settings.Field(nameof(RunSettings.Output));
        output.SetFocus();
        tui.Type(elsewhere);
        tui.Press(Key.Enter);
        Assert.Equal("applied: the next generation uses these settings", settings.Result);
        Assert.Equal(elsewhere, tui.Session.OutputDir);

        tui.Press(Key.F5);
        tui.PumpUntil(() => shown.Count == 1, "the run's result");

        Assert.True(shown[0].State == JobState.Done, shown[0].Error);
        string file = Assert.Single(Directory.GetFiles(elsewhere, "*.png", SearchOption.AllDirectories));
        Assert.Empty(workspace.OutputFiles());
        // History looks where the images now go.
        tui.Press(Key.F3);
        Assert.Equal(file, Assert.Single(tui.Window.Screen<HistoryScreen>().Entries).Path);
    });

    [SkippableFact]
    public void NewSettingsWaitForTheRunningGenerationToEnd() => WithTinyModelAndAnotherFolder((workspace, tui, shown, elsewhere) =>
    {
        tui.Window.Generate.Form.Steps!.Text = "3";
        using var stepped = new ManualResetEventSlim();
        using var applied = new ManualResetEventSlim();
        // The run holds at its first step until the settings are applied: the change lands
        // mid-run every time, not only when the machine happens to be slow.
        tui.Session.Queue.JobProgress += (_, u) =>
        {
            if (u.Total > 0 && u.Step >= 1 && !stepped.IsSet)
            {
                stepped.Set();
                applied.Wait(TimeSpan.FromMinutes(2));
            }
        };

        tui.Press(Key.F5);
        tui.PumpUntil(() => stepped.IsSet, "the first sampler step");
        tui.Press(Key.F6);
        var settings = tui.Window.Screen<SettingsScreen>();
        settings.Field(nameof(RunSettings.Threads)).Text = "1";
        settings.Field(nameof(RunSettings.Output)).Text = elsewhere;
        settings.Field(nameof(RunSettings.Output)).SetFocus();
        tui.Press(Key.Enter);
        applied.Set();
        Assert.Equal(1, ((LocalBackend)tui.Session.Backend).Options.Threads);
        tui.PumpUntil(() => shown.Count == 1, "the running generation");

        // The running generation kept its engine and its folder; the next one moves.
        Assert.True(shown[0].State == JobState.Done, shown[0].Error);
        Assert.Single(workspace.OutputFiles());
        Assert.Empty(Directory.GetFiles(elsewhere, "*.png", SearchOption.AllDirectories));
        tui.Press(Key.F5);
        tui.PumpUntil(() => shown.Count == 2, "the next generation");
        Assert.True(shown[1].State == JobState.Done, shown[1].Error);
        Assert.Single(Directory.GetFiles(elsewhere, "*.png", SearchOption.AllDirectories));
        Assert.Single(workspace.OutputFiles());
    });

    [Theory]
    [InlineData(nameof(RunSettings.Device), "gpu", "takes auto, cpu, vulkan, vulkan:N, not 'gpu'")]
    [InlineData(nameof(RunSettings.Device), "vulkan:97", "there is no vulkan:97; there are cpu and")]
    [InlineData(nameof(RunSettings.Threads), "-1", "'-1' is not a whole number")]
    [InlineData(nameof(RunSettings.Output), "no-such-folder", "no folder ")]
    [InlineData(nameof(RunSettings.Base), "no-such-folder", "no folder ")]
    public void ABadSettingIsShownAtItsFieldAndChangesNothing(string name, string typed, string problem)
    {
        using var workspace = TuiWorkspace.Empty();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var before = tui.Session.Run;
        tui.Press(Key.F6);
        var settings = tui.Window.Screen<SettingsScreen>();
        var field = settings.Field(name);
        field.SetFocus();
        field.Text = "";
        tui.Type(typed);
        tui.Press(Key.Enter);

        Assert.StartsWith("✗ ", settings.Note(name));
        Assert.Contains(problem, settings.Note(name));
        Assert.Contains(problem, tui.Screen());
        Assert.Equal("not applied: fix the fields marked ✗", settings.Result);
        Assert.Same(before, tui.Session.Run);
        Assert.Same(before, ((LocalBackend)tui.Session.Backend).Options);
        Assert.True(field.HasFocus);
    }

    /// <summary>A session on the tiny model, the results it shows, and an empty folder outside
    /// its base for the settings to point at.</summary>
    private static void WithTinyModelAndAnotherFolder(Action<TuiWorkspace, TuiHarness, List<GenerationJob>, string> test)
    {
        using var workspace = TuiWorkspace.WithTinyModel();
        string elsewhere = Directory.CreateTempSubdirectory("sdn-tui-out-").FullName;
        try
        {
            using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
            var shown = new List<GenerationJob>();
            tui.Window.Generate.ResultShown += shown.Add;
            test(workspace, tui, shown, elsewhere);
        }
        finally
        {
            Directory.Delete(elsewhere, recursive: true);
        }
    }
}
