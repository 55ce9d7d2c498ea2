using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>Walks the links of an API-format prompt.</summary>
internal static class PromptGraph
{
    /// <summary>Every node an output needs, the outputs included, following links.</summary>
    public static HashSet<string> Reachable(JsonObject prompt, IReadOnlyList<string> outputs)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>(outputs);
        while (pending.TryPop(out var id))
        {
            if (!seen.Add(id) || prompt[id]?["inputs"] is not JsonObject inputs)
            {
                continue;
            }
            foreach (var (_, value) in inputs)
            {
                if (value is JsonArray { Count: 2 } link && link[0] is JsonValue target && target.TryGetValue(out string? linked) && prompt.ContainsKey(linked))
                {
                    pending.Push(linked);
                }
            }
        }
        return seen;
    }
}
