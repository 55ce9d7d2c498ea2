using System.Text.Json.Nodes;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;

namespace SdNative.Tui.Workflow;

/// <summary>The API-format workflow ComfyUI (and SdNative's SaveImage) embeds in a PNG as the
/// tEXt chunk "prompt".</summary>
public static class PngWorkflow
{
    /// <summary>The embedded prompt, or null when the PNG carries none.</summary>
    public static JsonObject? Read(string path)
    {
        var info = Image.Identify(path);
        var png = info.Metadata.GetPngMetadata();
        var chunk = png.TextData.FirstOrDefault(t => t.Keyword == "prompt");
        if (chunk.Value is null)
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(chunk.Value) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public static bool IsPng(string path) => path.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
}
