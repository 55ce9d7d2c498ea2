using System.Text;
using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>
/// The outcome of validating a prompt, as ComfyUI's validate_prompt gives it: either the
/// outputs that may run (node_errors may still list outputs that failed), or an error body.
/// </summary>
public sealed class ValidationResult
{
    internal ValidationResult(JsonObject? error, JsonObject nodeErrors, IReadOnlyList<string> outputs, JsonObject? prompt,
        IReadOnlyDictionary<string, SamplerChoice> samplerChoices, IReadOnlyList<string> warnings)
    {
        Error = error;
        NodeErrors = nodeErrors;
        Outputs = outputs;
        Prompt = prompt;
        SamplerChoices = samplerChoices;
        Warnings = warnings;
    }

    public bool IsValid => Error is null;

    /// <summary>{"type", "message", "details", "extra_info"}, or null when valid.</summary>
    public JsonObject? Error { get; }

    /// <summary>node id → {"errors", "dependent_outputs", "class_type"}.</summary>
    public JsonObject NodeErrors { get; }

    /// <summary>The output node ids that passed validation, in prompt order.</summary>
    public IReadOnlyList<string> Outputs { get; }

    /// <summary>The prompt with widget values converted as ComfyUI writes them back (8 → 8.0
    /// for FLOAT inputs); this is what SaveImage embeds. Null when the prompt could not be read.</summary>
    public JsonObject? Prompt { get; }

    /// <summary>Per KSampler node whose sampler_name was an alias: what it stands for.</summary>
    public IReadOnlyDictionary<string, SamplerChoice> SamplerChoices { get; }

    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The body ComfyUI's POST /prompt answers an invalid prompt with.</summary>
    public JsonObject ToErrorBody() => new()
    {
        ["error"] = Error?.DeepClone(),
        ["node_errors"] = NodeErrors.DeepClone(),
    };

    /// <summary>What ComfyUI prints on its console for this result.</summary>
    public string ConsoleText()
    {
        var sb = new StringBuilder();
        foreach (var (id, entry) in NodeErrors)
        {
            sb.Append("Failed to validate prompt for node ").Append(id).Append(" (").Append(entry!["class_type"]).Append("):\n");
            foreach (var reason in entry["errors"]!.AsArray())
            {
                sb.Append("  - ").Append(reason!["message"]).Append(": ").Append(reason["details"]).Append('\n');
            }
        }
        if (Error is not null)
        {
            sb.Append("invalid prompt: ").Append(Error["message"]);
            string details = Error["details"]?.ToString() ?? "";
            if (details.Length > 0)
            {
                sb.Append(": ").Append(details);
            }
        }
        return sb.ToString().TrimEnd('\n');
    }

    internal static ValidationResult Failed(string type, string message, string details) =>
        new(Reason(type, message, details, new JsonObject()), new JsonObject(), [], null, new Dictionary<string, SamplerChoice>(), []);

    internal static JsonObject Reason(string type, string message, string details, JsonObject extraInfo) => new()
    {
        ["type"] = type,
        ["message"] = message,
        ["details"] = details,
        ["extra_info"] = extraInfo,
    };
}

/// <summary>The sampler (and scheduler, if the alias named one) an alias stands for.</summary>
public sealed record SamplerChoice(string Written, string Sampler, string? Scheduler);
