using SdNative.Tui.Screens;
using SdNative.Tui.Workflow;
using Terminal.Gui.Input;

namespace SdNative.Tui.Tests;

/// <summary>The node view lists every node and input, shows ComfyUI's validation errors at
/// the node they belong to, and writes edits back.</summary>
public class NodeScreenTests
{
    [Fact]
    public void AValidationErrorAppearsUnderItsNode()
    {
        using var workspace = TuiWorkspace.Empty();
        string json = Path.Combine(workspace.Base, "bad.json");
        var prompt = WorkflowReloadTests.Workflow("x", seed: 1, denoise: 1.5);
        File.WriteAllText(json, prompt.ToJsonString());
        using var tui = TuiHarness.Start(new TuiOptions(json, workspace.Run));
        var nodes = tui.Window.Screen<NodeScreen>();

        tui.Press(Key.F4);
        tui.PumpUntil(() => nodes.Message.StartsWith("invalid", StringComparison.Ordinal), "the validation result");

        var rows = nodes.Rows.ToList();
        int header = rows.FindIndex(r => r.NodeId == "sampler" && r.Input is null && !r.IsError);
        Assert.True(rows[header + 1].IsError, "the error is the first line under the sampler's header");
        // ComfyUI's words for a value above an input's max (execution.py validate_inputs:
        // message "Value {val} bigger than max of {max}", details the input's name).
        Assert.Equal("    ✗ Value 1.5 bigger than max of 1.0 [denoise]", rows[header + 1].Text);
        Assert.Equal(1, rows.Count(r => r.IsError));
        Assert.Contains("✗ Value 1.5 bigger than max of 1.0 [denoise]", tui.Screen());
    }

    [Fact]
    public void TheNodeViewShowsWhatTheFormHolds()
    {
        using var workspace = TuiWorkspace.Empty();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        tui.Window.Generate.Form.Steps!.Text = "9";
        tui.Window.Generate.Form.Denoise!.Text = "7";   // out of range: stays as it was
        tui.Press(Key.F4);
        var rows = tui.Window.Screen<NodeScreen>().Rows;
        Assert.Contains(rows, r => r.NodeId == "sampler" && r.Text == "    steps = 9");
        Assert.Contains(rows, r => r.NodeId == "sampler" && r.Text == "    denoise = 0.65");
    }

    [Fact]
    public void AnEditedInputIsWrittenBackAndRevalidated()
    {
        using var workspace = TuiWorkspace.Empty();
        string json = Path.Combine(workspace.Base, "bad.json");
        File.WriteAllText(json, WorkflowReloadTests.Workflow("x", seed: 1, denoise: 1.5).ToJsonString());
        using var tui = TuiHarness.Start(new TuiOptions(json, workspace.Run));
        var nodes = tui.Window.Screen<NodeScreen>();
        tui.Press(Key.F4);
        tui.PumpUntil(() => nodes.Message.StartsWith("invalid", StringComparison.Ordinal), "the first validation");

        nodes.Apply(nodes.Rows.Single(r => r.NodeId == "sampler" && r.Input == "denoise"), "0.5");
        tui.PumpUntil(() => nodes.Message == "valid", "the second validation");

        Assert.Equal(0.5, tui.Session.Prompt["sampler"]!["inputs"]!["denoise"]!.GetValue<double>());
        Assert.DoesNotContain(nodes.Rows, r => r.IsError);
        Assert.Equal("0.5", tui.Window.Generate.Form.Denoise!.Text);
    }

    [Fact]
    public void EnterEditsAnInputFromTheKeyboardAndCtrlSSavesTheWorkflowThatCtrlOOpens()
    {
        using var workspace = TuiWorkspace.Empty();
        using var tui = TuiHarness.Start(new TuiOptions(Run: workspace.Run));
        var nodes = tui.Window.Screen<NodeScreen>();
        tui.Press(Key.F4);
        int steps = nodes.Rows.ToList().FindIndex(r => r.NodeId == "sampler" && r.Input == "steps");
        tui.Press(Key.Home);
        for (int i = 0; i < steps; i++)
        {
            tui.Press(Key.CursorDown);
        }
        tui.Press(Key.Enter);
        Assert.Equal("25", nodes.EditText);
        tui.Press(Key.Backspace);
        tui.Press(Key.Backspace);
        tui.Type("7");
        tui.Press(Key.Enter);
        Assert.Equal(7, tui.Session.Prompt["sampler"]!["inputs"]!["steps"]!.GetValue<int>());
        Assert.Equal("7", tui.Window.Generate.Form.Steps!.Text);

        string saved = Path.Combine(workspace.Base, "saved.json");
        nodes.FileText = saved;
        tui.Press(Key.S.WithCtrl);
        Assert.Equal(7, WorkflowFile.Open(saved)["sampler"]!["inputs"]!["steps"]!.GetValue<int>());

        tui.Session.Load(WorkflowFile.SeedGuide(), "built-in");
        Assert.Equal("25", tui.Window.Generate.Form.Steps!.Text);
        nodes.FileText = saved;
        tui.Press(Key.O.WithCtrl);
        Assert.Equal(saved, tui.Session.Origin);
        Assert.Equal("7", tui.Window.Generate.Form.Steps!.Text);
    }
}
