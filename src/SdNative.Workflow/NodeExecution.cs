using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>What a node sees while it runs: its resolved inputs and the run's services.</summary>
public sealed class NodeExecution
{
    internal NodeExecution(string nodeId, IReadOnlyDictionary<string, object?> inputs, RunServices services)
    {
        NodeId = nodeId;
        Inputs = inputs;
        Services = services;
    }

    public string NodeId { get; }
    public IReadOnlyDictionary<string, object?> Inputs { get; }
    internal RunServices Services { get; }

    /// <summary>Objects (loaded models) that live as long as this node's cached outputs.</summary>
    internal List<IDisposable> Owned { get; } = new();

    public void Own(IDisposable resource) => Owned.Add(resource);

    public T Get<T>(string name) => Inputs.TryGetValue(name, out var v) && v is T t
        ? t
        : throw new InvalidOperationException($"input '{name}' is missing or is not a {typeof(T).Name}");

    public T? Optional<T>(string name) where T : class => Inputs.TryGetValue(name, out var v) ? v as T : null;

    public long Int(string name) => (long)PyValues.AsBigInteger(Get<JsonNode>(name));

    public ulong UInt64(string name) => (ulong)PyValues.AsBigInteger(Get<JsonNode>(name));

    public double Float(string name) => PyValues.AsDouble(Get<JsonNode>(name));

    public string Str(string name) => PyValues.Str_(Get<JsonNode>(name));
}

/// <summary>CLIP as it flows between nodes: the text encoder plus CLIPSetLastLayer's choice
/// (0 = none made: the model's default layer).</summary>
public sealed record ClipRef(ClipModel Model, int StopAtLayer = 0);
