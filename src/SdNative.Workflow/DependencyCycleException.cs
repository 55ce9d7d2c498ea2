using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>
/// Links that lead from a node back to itself: none of those nodes can ever run. Raised while
/// validation walks the links and reported for every node on the cycle as a
/// "dependency_cycle" reason in ComfyUI's node_errors shape.
/// </summary>
internal sealed class DependencyCycleException(IReadOnlyList<string> nodes)
    : Exception($"Dependency cycle detected: nodes {string.Join(" -> ", nodes)} -> {nodes[0]}")
{
    /// <summary>The node ids on the cycle, each needing an output of the next (the last needs the first).</summary>
    public IReadOnlyList<string> Nodes { get; } = nodes;

    /// <summary>{"type": "dependency_cycle", ...}: the message says what it is, the details name
    /// every node with its class, extra_info lists the ids.</summary>
    public static JsonObject Reason(IReadOnlyList<string> cycle, Func<string, string> classOf)
    {
        string Named(string id) => $"{id} ({classOf(id)})";
        string chain = string.Join(" -> ", cycle.Append(cycle[0]).Select(Named));
        return ValidationResult.Reason("dependency_cycle", "Dependency cycle detected",
            $"{chain}: each of these nodes needs an output of the next, so none of them can run",
            new JsonObject { ["nodes"] = new JsonArray(cycle.Select(id => (JsonNode)id).ToArray()) });
    }
}
