using System.Text.Json.Nodes;

namespace SdNative.Tui.Workflow;

/// <summary>One line of the node view: a node's header, one of its inputs, or one of its
/// validation errors, indented like a tree.</summary>
public sealed record NodeRow(string NodeId, string? Input, string Text, bool IsError = false)
{
    /// <summary>Every node (sorted by id as ComfyUI numbers them) with its inputs, and under
    /// each node the errors ComfyUI's node_errors give for it.</summary>
    public static IReadOnlyList<NodeRow> Build(JsonObject prompt, JsonObject? errorBody)
    {
        var nodeErrors = errorBody?["node_errors"] as JsonObject;
        var rows = new List<NodeRow>();
        foreach (var (id, node) in prompt.OrderBy(n => n.Key.Length).ThenBy(n => n.Key, StringComparer.Ordinal))
        {
            string title = node?["_meta"]?["title"]?.ToString() is string t ? $" \"{t}\"" : "";
            rows.Add(new NodeRow(id, null, $"▾ {id} {node?["class_type"]}{title}"));
            foreach (var error in nodeErrors?[id]?["errors"] as JsonArray ?? [])
            {
                string? name = error?["extra_info"]?["input_name"]?.ToString();
                string details = error?["details"]?.ToString() ?? "";
                // ComfyUI often repeats the input's name as the details; say it once.
                string text = $"    ✗ {error?["message"]}" + (name is null ? "" : $" [{name}]") + (details.Length > 0 && details != name ? $": {details}" : "");
                rows.Add(new NodeRow(id, null, text, IsError: true));
            }
            foreach (var (input, value) in node?["inputs"] as JsonObject ?? [])
            {
                string shown = value is JsonArray { Count: 2 } link && link[0] is JsonValue ? $"← {link[0]}[{link[1]}]" : value?.ToJsonString() ?? "null";
                rows.Add(new NodeRow(id, input, $"    {input} = {shown}"));
            }
        }
        return rows;
    }
}
