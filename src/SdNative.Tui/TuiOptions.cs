using SdNative.Workflow;

namespace SdNative.Tui;

/// <summary>What `sdnative tui` was started with.</summary>
/// <param name="Document">A workflow (.json) or a PNG carrying one; null opens the seed guide's img2img workflow.</param>
/// <param name="Run">Folders, threads and device for local runs; also where history and the input picker look.</param>
/// <param name="Server">A running `sdnative serve` (or ComfyUI) to drive instead of the local engine.</param>
/// <param name="Driver">Terminal.Gui driver name; null lets it pick.</param>
/// <param name="LogFile">Where logs go (never the screen); null puts tui.log under the base folder's temp/.</param>
public sealed record TuiOptions(
    string? Document = null,
    RunOptions? Run = null,
    Uri? Server = null,
    string? Driver = null,
    string? LogFile = null)
{
    public RunOptions RunOptions => Run ?? new RunOptions();

    public bool IsRemote => Server is not null;

    public string ResolvedLogFile => LogFile ?? Path.Combine(RunOptions.TempDir, "tui.log");
}
