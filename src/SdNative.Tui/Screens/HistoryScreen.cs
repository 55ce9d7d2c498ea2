using SdNative.Tui.Engine;
using SdNative.Tui.Views;
using SdNative.Tui.Workflow;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.ViewBase;

namespace SdNative.Tui.Screens;

/// <summary>The output folder's images with their parameters, newest first, and the selected
/// one beside the list. Enter reloads its workflow into the generate screen; Ctrl+R re-runs it with
/// a new seed.</summary>
[Screen("History", Key = "F3", Order = 2)]
public sealed class HistoryScreen : ListScreen, IScreen
{
    private readonly PicturePane _picture = new() { Y = 1, Width = Dim.Fill(), Height = Dim.Fill() };
    private readonly Random _seeds = new();
    private IReadOnlyList<HistoryEntry> _entries = [];

    public HistoryScreen(IApplication app, TuiSession session)
        : base(app, session, "Outputs — Enter reloads the workflow, Ctrl+R re-runs it with a new seed")
    {
        List.Width = Dim.Percent(60);
        _picture.X = Pos.Right(List) + 1;
        Add(_picture);
        List.ValueChanged += (_, _) => ShowSelected();
        List.KeyDown += (_, key) =>
        {
            if (key == Key.Enter)
            {
                key.Handled = Reload(Selected);
            }
            else if (key == Key.R.WithCtrl)
            {
                key.Handled = Rerun(Selected);
            }
        };
        session.Queue.JobChanged += OnJobChanged;
        Refresh();
    }

    public IReadOnlyList<HistoryEntry> Entries => _entries;

    public HistoryEntry? Selected => SelectedIndex is int i && i < _entries.Count ? _entries[i] : null;

    public void OnShown() => Refresh();

    public void Refresh()
    {
        _entries = HistoryEntry.Scan(Session.OutputDir);
        SetLines(_entries.Select(e => e.Describe()));
        List.SelectedItem = _entries.Count > 0 ? 0 : null;
        ShowSelected();
    }

    /// <summary>Loads an entry's workflow into the session (and so the generate screen).</summary>
    public bool Reload(HistoryEntry? entry)
    {
        if (entry?.Prompt is null)
        {
            return false;
        }
        Session.Load((System.Text.Json.Nodes.JsonObject)entry.Prompt.DeepClone(), entry.Path);
        return true;
    }

    /// <summary>Queues an entry's workflow again with a random seed.</summary>
    public bool Rerun(HistoryEntry? entry)
    {
        if (entry?.Prompt is null)
        {
            return false;
        }
        var prompt = (System.Text.Json.Nodes.JsonObject)entry.Prompt.DeepClone();
        var inputs = GenerateInputs.Find(prompt);
        if (inputs.SamplerNode is not null)
        {
            inputs.Set(inputs.SamplerNode, inputs.SeedInput, SeedRule.Next(0, SeedControl.Randomize, 0, uint.MaxValue, _seeds));
        }
        Session.Queue.Enqueue(prompt, $"re-run of {Path.GetFileName(entry.Path)}");
        return true;
    }

    private void ShowSelected()
    {
        try
        {
            _picture.Show(Selected is null ? null : RgbImage.Load(Selected.Path));
        }
        catch (Exception e) when (e is IOException or SixLabors.ImageSharp.ImageFormatException or SixLabors.ImageSharp.UnknownImageFormatException)
        {
            _picture.Show(null);
        }
    }

    private void OnJobChanged(GenerationJob job)
    {
        if (job.State == JobState.Done)
        {
            Ui.Invoke(Refresh);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Session.Queue.JobChanged -= OnJobChanged;
        }
        base.Dispose(disposing);
    }
}
