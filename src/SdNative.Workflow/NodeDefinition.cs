using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>
/// Everything the runner knows about one node class, in one place: validation, /object_info
/// and execution all read it, so they cannot drift apart.
/// </summary>
public sealed class NodeDefinition
{
    public required string ClassName { get; init; }
    public required string DisplayName { get; init; }
    public required string Category { get; init; }
    public string PythonModule { get; init; } = "nodes";
    public string Description { get; init; } = "";
    public IReadOnlyList<InputSpec> Required { get; init; } = [];
    public IReadOnlyList<InputSpec> Optional { get; init; } = [];
    /// <summary>Hidden inputs (name → PROMPT / EXTRA_PNGINFO / UNIQUE_ID).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Hidden { get; init; } = [];
    public IReadOnlyList<string> Outputs { get; init; } = [];
    public IReadOnlyList<string>? OutputNames { get; init; }
    public bool IsOutputNode { get; init; }

    /// <summary>Inputs whose range/combo check ComfyUI skips because the node's VALIDATE_INPUTS
    /// takes them (LoadImage's image); <see cref="CustomValidation"/> checks them instead.</summary>
    public IReadOnlySet<string> CustomValidatedInputs { get; init; } = new HashSet<string>();

    /// <summary>VALIDATE_INPUTS: returns null when fine, else the message for custom_validation_failed.</summary>
    public Func<ValidationContext, JsonObject, string, string?>? CustomValidation { get; init; }

    /// <summary>Runs the node: resolved inputs in, output slots out.</summary>
    public required Func<NodeExecution, Task<object?[]>> Execute { get; init; }

    public IEnumerable<(InputSpec Spec, bool Required)> AllInputs =>
        Required.Select(i => (i, true)).Concat(Optional.Select(i => (i, false)));

    public InputSpec? FindInput(string name) =>
        Required.FirstOrDefault(i => i.Name == name) ?? Optional.FirstOrDefault(i => i.Name == name);
}
