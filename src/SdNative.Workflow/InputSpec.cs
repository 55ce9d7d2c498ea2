using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>
/// One declared input of a node, as ComfyUI's INPUT_TYPES states it: a type ("INT", "MODEL", ...,
/// or "COMBO" for a list of choices) and the options dict that /object_info reports and
/// validation reads (default, min, max, step, round, ...).
/// </summary>
/// <param name="Choices">For a combo: the fixed choices, or null when they come from a folder
/// (see <see cref="Folder"/>).</param>
/// <param name="Folder">For a combo listing files: which folder (checkpoints, vae, input, input_any).</param>
/// <param name="V3Combo">Emit the combo as ["COMBO", {"options": [...]}] (V3 nodes) instead of [[...], {...}].</param>
public sealed record InputSpec(
    string Name,
    string Type,
    JsonObject Options,
    IReadOnlyList<string>? Choices = null,
    string? Folder = null,
    bool V3Combo = false)
{
    public bool IsCombo => Type == "COMBO";

    /// <summary>A widget value (typed in the workflow) rather than a link from another node.</summary>
    public bool IsWidget => Type is "INT" or "FLOAT" or "STRING" or "BOOLEAN" or "COMBO";

    public JsonNode? Min => Options["min"];

    public JsonNode? Max => Options["max"];
}
