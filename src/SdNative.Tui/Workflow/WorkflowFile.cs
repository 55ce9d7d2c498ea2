using System.Reflection;
using System.Text.Json.Nodes;
using SdNative.Workflow;

namespace SdNative.Tui.Workflow;

/// <summary>Opens and saves the workflow a session edits: an API-format .json (or /prompt
/// body), the prompt embedded in a PNG, or the seed guide's img2img workflow built in.</summary>
public static class WorkflowFile
{
    public const string SeedGuideName = "img2img-seed-guide.json";

    public static JsonObject Open(string? path)
    {
        if (path is null)
        {
            return SeedGuide();
        }
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no such workflow or image: {path}", path);
        }
        if (PngWorkflow.IsPng(path))
        {
            return PngWorkflow.Read(path) ?? throw new InvalidDataException($"{Path.GetFileName(path)} carries no workflow (no \"prompt\" text chunk)");
        }
        try
        {
            return WorkflowDocument.Parse(File.ReadAllText(path)).Prompt;
        }
        catch (WorkflowValidationException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: {e.Message}", e);
        }
    }

    public static void Save(JsonObject prompt, string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, prompt.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>examples/img2img-seed-guide.json, compiled in so an installed tool has it too.</summary>
    public static JsonObject SeedGuide()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(SeedGuideName)
            ?? throw new InvalidOperationException("the seed guide workflow is missing from the assembly");
        return (JsonObject)JsonNode.Parse(stream)!;
    }
}
