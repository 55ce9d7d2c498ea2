using System.Text.Json.Nodes;

namespace SdNative.Tui.Workflow;

/// <summary>One image in the output folder and the workflow that made it (from its PNG).</summary>
public sealed record HistoryEntry(string Path, DateTime Written, JsonObject? Prompt)
{
    /// <summary>"img2img_00003_.png  seed 12 · steps 20 · denoise 0.6 · a cat…".</summary>
    public string Describe()
    {
        string name = System.IO.Path.GetFileName(Path);
        if (Prompt is null)
        {
            return $"{name}  (no workflow inside)";
        }
        var inputs = GenerateInputs.Find(Prompt);
        var parts = new List<string>();
        foreach (var (label, input) in new[] { ("seed", inputs.SeedInput), ("steps", "steps"), ("cfg", "cfg"), ("denoise", "denoise") })
        {
            if (inputs.Get(inputs.SamplerNode, input) is string value)
            {
                parts.Add($"{label} {value}");
            }
        }
        if (inputs.Get(inputs.PositiveNode, "text") is string text)
        {
            parts.Add(text.Length > 40 ? text[..40] + "…" : text);
        }
        return $"{name}  {string.Join(" · ", parts)}";
    }

    /// <summary>The PNGs of a folder (and its subfolders), newest first.</summary>
    public static IReadOnlyList<HistoryEntry> Scan(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }
        return Directory.EnumerateFiles(folder, "*.png", SearchOption.AllDirectories)
            .Select(p => new FileInfo(p))
            .OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => new HistoryEntry(f.FullName, f.LastWriteTimeUtc, ReadPrompt(f.FullName)))
            .ToList();
    }

    private static JsonObject? ReadPrompt(string path)
    {
        try
        {
            return PngWorkflow.Read(path);
        }
        catch (Exception e) when (e is IOException or SixLabors.ImageSharp.ImageFormatException or SixLabors.ImageSharp.UnknownImageFormatException)
        {
            return null;
        }
    }
}
