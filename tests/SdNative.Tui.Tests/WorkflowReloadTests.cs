using System.Text.Json.Nodes;
using SdNative.Tui.Screens;
using SdNative.Tui.Views;
using SdNative.Tui.Workflow;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using Terminal.Gui.Input;

namespace SdNative.Tui.Tests;

/// <summary>A PNG carrying a workflow (ComfyUI's "prompt" text chunk) opens it, from the
/// command line and from the history.</summary>
public class WorkflowReloadTests
{
    [Fact]
    public void APngGivenAtStartOpensTheWorkflowItCarries()
    {
        using var workspace = TuiWorkspace.Empty();
        string png = Path.Combine(workspace.Base, "made-elsewhere.png");
        WritePng(png, Workflow("a lighthouse at dusk", seed: 4242, denoise: 0.4));
        using var tui = TuiHarness.Start(new TuiOptions(png, workspace.Run));
        var form = tui.Window.Generate.Form;
        Assert.Equal("a lighthouse at dusk", form.Field("Positive")!.Text);
        Assert.Equal("4242", form.Seed!.Text);
        Assert.Equal("0.4", form.Denoise!.Text);
        Assert.Contains("made-elsewhere.png", tui.Screen());
    }

    [Fact]
    public void EnterOnAHistoryEntryReloadsItsWorkflowIntoTheGenerateScreen()
    {
        using var workspace = TuiWorkspace.Empty();
        Directory.CreateDirectory(workspace.Output);
        WritePng(Path.Combine(workspace.Output, "older_00001_.png"), Workflow("first try", seed: 1, denoise: 0.5));
        File.SetLastWriteTimeUtc(Path.Combine(workspace.Output, "older_00001_.png"), DateTime.UtcNow.AddMinutes(-5));
        WritePng(Path.Combine(workspace.Output, "newer_00002_.png"), Workflow("second try", seed: 77, denoise: 0.3));
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));

        tui.Press(Key.F3);
        var history = tui.Window.Screen<HistoryScreen>();
        Assert.Equal(["newer_00002_.png", "older_00001_.png"], history.Entries.Select(e => Path.GetFileName(e.Path)));
        string screen = tui.Screen();
        Assert.True(screen.Contains("newer_00002_.png  seed 77 · steps 20 · cfg 7 · denoise 0.3"), screen);
        // The selected entry's picture is drawn beside the list (its pixels are (200, 40, 40)).
        Assert.Contains(HalfBlockImageView.HalfBlock, screen);
        tui.Press(Key.CursorDown);
        tui.Press(Key.Enter);

        var form = tui.Window.Generate.Form;
        Assert.Equal("first try", form.Field("Positive")!.Text);
        Assert.Equal("1", form.Seed!.Text);
        Assert.Equal("older_00001_.png", Path.GetFileName(tui.Session.Origin));
    }

    /// <summary>The seed guide's shape with the values under test.</summary>
    internal static JsonObject Workflow(string positive, long seed, double denoise)
    {
        var prompt = WorkflowFile.SeedGuide();
        prompt["checkpoint"]!["inputs"]!["ckpt_name"] = TuiWorkspace.Checkpoint;
        prompt["positive"]!["inputs"]!["text"] = positive;
        prompt["sampler"]!["inputs"]!["seed"] = seed;
        prompt["sampler"]!["inputs"]!["steps"] = 20;
        prompt["sampler"]!["inputs"]!["cfg"] = 7;
        prompt["sampler"]!["inputs"]!["denoise"] = denoise;
        return prompt;
    }

    /// <summary>A PNG with the workflow in a tEXt chunk, written here rather than by the engine's saver.</summary>
    internal static void WritePng(string path, JsonObject prompt)
    {
        using var image = new Image<Rgb24>(4, 4, new Rgb24(200, 40, 40));
        image.Metadata.GetPngMetadata().TextData.Add(new PngTextData("prompt", prompt.ToJsonString(), "", ""));
        image.SaveAsPng(path);
    }
}
