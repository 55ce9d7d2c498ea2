using System.Text.Json;
using System.Text.Json.Nodes;

namespace SdNative.Workflow;

/// <summary>The shapes of workflow JSON this runner accepts.</summary>
public enum WorkflowFormat
{
    /// <summary>A bare API-format node map: { "id": { "class_type": ..., "inputs": ... } }.</summary>
    ApiNodeMap,

    /// <summary>A /prompt request body: { "prompt": { ... }, "extra_data": ... }.</summary>
    PromptRequest,
}

/// <summary>A parsed workflow: the API-format prompt and, from a /prompt body, extra_data
/// (extra_pnginfo.workflow is the UI graph SaveImage embeds).</summary>
public sealed class WorkflowDocument
{
    private WorkflowDocument(JsonObject prompt, JsonObject extraData, WorkflowFormat format)
    {
        Prompt = prompt;
        ExtraData = extraData;
        Format = format;
    }

    public JsonObject Prompt { get; }
    public JsonObject ExtraData { get; }
    public WorkflowFormat Format { get; }

    /// <summary>extra_data.extra_pnginfo: key → value for SaveImage's text chunks.</summary>
    public JsonObject? ExtraPngInfo => ExtraData["extra_pnginfo"] as JsonObject;

    /// <summary>Parses workflow text; a problem becomes a <see cref="WorkflowValidationException"/>
    /// carrying ComfyUI's error body, never a parser stack trace.</summary>
    public static WorkflowDocument Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw WorkflowValidationException.Prompt("invalid_prompt", "Invalid JSON", ex.Message);
        }
        if (root is not JsonObject obj)
        {
            throw WorkflowValidationException.Prompt("invalid_prompt", "Invalid prompt", "the workflow must be a JSON object");
        }
        if (obj.TryGetPropertyValue("prompt", out var promptNode) && !LooksLikeNode(promptNode))
        {
            return promptNode switch
            {
                JsonObject prompt => new WorkflowDocument((JsonObject)prompt.DeepClone(),
                    (JsonObject?)(obj["extra_data"] as JsonObject)?.DeepClone() ?? new JsonObject(), WorkflowFormat.PromptRequest),
                null => throw WorkflowValidationException.Prompt("no_prompt", "No prompt provided", "No prompt provided"),
                _ => throw WorkflowValidationException.Prompt("invalid_prompt", "Invalid prompt", "\"prompt\" must be an object of nodes"),
            };
        }
        if ((obj.ContainsKey("extra_data") || obj.ContainsKey("client_id")) && !obj.ContainsKey("prompt"))
        {
            throw WorkflowValidationException.Prompt("no_prompt", "No prompt provided", "No prompt provided");
        }
        if (obj.ContainsKey("nodes") && obj.ContainsKey("links"))
        {
            throw WorkflowValidationException.Prompt("invalid_prompt", "Invalid prompt",
                "this is a UI-format workflow (nodes/links); export it with \"Save (API)\" to get the API format");
        }
        return new WorkflowDocument((JsonObject)obj.DeepClone(), new JsonObject(), WorkflowFormat.ApiNodeMap);
    }

    /// <summary>A node map entry named "prompt" (an object with class_type) is a node, not a body.</summary>
    private static bool LooksLikeNode(JsonNode? node) => node is JsonObject o && o.ContainsKey("class_type");
}

/// <summary>An invalid workflow: <see cref="Body"/> is ComfyUI's {"error", "node_errors"} body.</summary>
public sealed class WorkflowValidationException(string message, JsonObject body, ValidationResult? result = null) : Exception(message)
{
    public JsonObject Body { get; } = body;

    public ValidationResult? Result { get; } = result;

    public static WorkflowValidationException Prompt(string type, string message, string details) =>
        new($"invalid prompt: {message}" + (details.Length > 0 ? $": {details}" : ""), new JsonObject
        {
            ["error"] = ValidationResult.Reason(type, message, details, new JsonObject()),
            ["node_errors"] = new JsonObject(),
        });
}

/// <summary>A node failed while running; names the node.</summary>
public sealed class WorkflowRuntimeException(string nodeId, string classType, Exception inner)
    : Exception($"node {nodeId} ({classType}) failed: {inner.Message}", inner)
{
    public string NodeId { get; } = nodeId;
    public string ClassType { get; } = classType;
}
