using SdNative.Tui.Views;
using Terminal.Gui.App;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace SdNative.Tui.Screens;

/// <summary>Where this session runs and reads: threads, device, the folders, the server and the
/// log file. They are set on the command line (`sdnative tui --threads/--device/--base …`);
/// this screen shows what is in force.</summary>
[Screen("Settings", Key = "F6", Order = 4)]
public sealed class SettingsScreen : View, IScreen
{
    private readonly PlainLabel _text = new() { X = 0, Y = 0, Width = Dim.Fill(), Height = Dim.Fill() };

    public SettingsScreen(IApplication app, TuiSession session)
    {
        Width = Dim.Fill();
        CanFocus = true;
        var run = session.Options.RunOptions;
        var folders = run.Folders();
        _text.Text = string.Join("\n",
            $"runs on    {session.Backend.Name}",
            $"threads    {(run.Threads == 0 ? "physical cores" : run.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture))}",
            $"device     {run.Device?.ToString() ?? "cpu"}",
            $"models     {folders.ModelsDir}",
            $"input      {folders.InputDir}",
            $"output     {folders.OutputDir}",
            $"log file   {session.Options.ResolvedLogFile}",
            "",
            "Change them with sdnative tui --threads N --device D --base/--models/--input/--output DIR [--server URL].");
        Add(_text);
    }

    public string Summary => _text.Text;
}
