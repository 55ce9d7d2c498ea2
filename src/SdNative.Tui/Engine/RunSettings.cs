using System.Globalization;
using SdNative.Workflow;

namespace SdNative.Tui.Engine;

/// <summary>
/// The settings screen's text, checked into run options: threads (0 = physical cores), the
/// device (a spelling --device takes, and a device this machine has), the base folder and the
/// models, input and output folders (blank: the one under the base). Typed folders must exist:
/// a typo would otherwise surface only when a generation fails or writes somewhere unexpected.
/// </summary>
public sealed record RunSettings(string Threads, string Device, string Base, string Models, string Input, string Output)
{
    public static RunSettings From(RunOptions run) => new(
        run.Threads.ToString(CultureInfo.InvariantCulture),
        (run.Device ?? ComputeDevice.Cpu).ToString(),
        run.ResolvedBase,
        run.ModelsDir ?? "",
        run.InputDir ?? "",
        run.OutputDir ?? "");

    /// <summary>The options these settings make from <paramref name="current"/>, or null with each
    /// problem keyed by its field's name (nameof of the property).</summary>
    public RunOptions? Check(RunOptions current, out IReadOnlyDictionary<string, string> problems)
    {
        var found = new Dictionary<string, string>();
        problems = found;
        if (!int.TryParse(Threads.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int threads))
        {
            found[nameof(Threads)] = $"'{Threads}' is not a whole number ≥ 0 (0 = physical cores)";
        }
        ComputeDevice? device = null;
        if (!ComputeDevice.TryParse(Device, out device))
        {
            found[nameof(Device)] = $"takes {ComputeDevice.Spellings}, not '{Device}'";
        }
        else if (ComputeDevice.Absence(device.Value) is string absent)
        {
            found[nameof(Device)] = absent;
        }
        string? baseDir = Folder(nameof(Base), Base, found);
        if (Base.Trim().Length == 0)
        {
            found[nameof(Base)] = "the base folder is needed";
        }
        string? models = Folder(nameof(Models), Models, found);
        string? input = Folder(nameof(Input), Input, found);
        string? output = Folder(nameof(Output), Output, found);
        if (found.Count > 0)
        {
            return null;
        }
        return current with
        {
            Threads = threads,
            Device = device,
            BaseDir = baseDir,
            ModelsDir = models,
            InputDir = input,
            OutputDir = output,
        };
    }

    /// <summary>The full path of an existing folder; null for a blank field (or a problem).</summary>
    private static string? Folder(string field, string text, Dictionary<string, string> problems)
    {
        string trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }
        try
        {
            string full = Path.GetFullPath(trimmed);
            if (Directory.Exists(full))
            {
                return full;
            }
            problems[field] = $"no folder {full}";
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            problems[field] = $"not a folder path: {e.Message}";
        }
        return null;
    }
}
