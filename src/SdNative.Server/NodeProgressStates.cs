using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// ComfyUI's progress registry for one prompt (comfy_execution/progress.py): every node that has
/// started or finished, in the order it did, with its value, max and state. A node starts at 0 of 1,
/// a sampler step sets value and max, finishing sets value to max; a cached node goes straight to
/// finished. Each change is sent whole as a progress_state message.
/// </summary>
public sealed class NodeProgressStates(string promptId)
{
    private readonly Dictionary<string, (double Value, double Max, string State)> _nodes = new();
    private readonly List<string> _order = new();

    public void Start(string node) => Set(node, 0, 1, "running");

    public void Update(string node, double value, double max) => Set(node, value, max, "running");

    public void Finish(string node)
    {
        double max = _nodes.TryGetValue(node, out var known) ? known.Max : 1;
        Set(node, max, max, "finished");
    }

    /// <summary>The progress_state message's data: {prompt_id, nodes: {id: {...}}}. This server has no
    /// subgraphs, so a node is its own display and real node and has no parent.</summary>
    public JsonObject ToJson()
    {
        var nodes = new JsonObject();
        foreach (var id in _order)
        {
            var (value, max, state) = _nodes[id];
            nodes[id] = new JsonObject
            {
                ["value"] = value, ["max"] = max, ["state"] = state, ["node_id"] = id, ["prompt_id"] = promptId,
                ["display_node_id"] = id, ["parent_node_id"] = null, ["real_node_id"] = id,
            };
        }
        return new JsonObject { ["prompt_id"] = promptId, ["nodes"] = nodes };
    }

    private void Set(string node, double value, double max, string state)
    {
        if (!_nodes.ContainsKey(node))
        {
            _order.Add(node);
        }
        _nodes[node] = (value, max, state);
    }
}
