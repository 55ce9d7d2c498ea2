using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>
/// One queued prompt, as ComfyUI's queue holds it: [number, prompt_id, prompt, extra_data,
/// outputs_to_execute] (the fifth element, the sensitive data, is never kept).
/// </summary>
public sealed record QueueItem(double Number, string PromptId, JsonObject Prompt, JsonObject ExtraData, IReadOnlyList<string> OutputsToExecute)
{
    /// <summary>extra_data keys ComfyUI moves to its "sensitive" item: never listed, stored or echoed.</summary>
    public static readonly IReadOnlyList<string> SensitiveKeys = ["api_key_comfy_org", "auth_token_comfy_org"];

    /// <summary>The WebSocket session the prompt's events go to; null broadcasts some and drops the rest (§3.9).</summary>
    public string? ClientId => JsonFields.String(ExtraData["client_id"]);

    /// <summary>The 5-element array /queue and history list.</summary>
    public JsonArray ToJson() => new(
        NumberJson(Number),
        PromptId,
        Prompt.DeepClone(),
        ExtraData.DeepClone(),
        new JsonArray(OutputsToExecute.Select(o => (JsonNode?)JsonValue.Create(o)).ToArray()));

    public static QueueItem FromJson(JsonArray array) => new(
        array[0]!.GetValue<double>(),
        array[1]!.GetValue<string>(),
        (JsonObject)array[2]!.DeepClone(),
        (JsonObject)array[3]!.DeepClone(),
        array[4]!.AsArray().Select(o => o!.GetValue<string>()).ToList());

    /// <summary>A whole number prints as an integer, as ComfyUI's counter does.</summary>
    public static JsonNode NumberJson(double number) =>
        number == Math.Floor(number) && Math.Abs(number) < 1e15 ? JsonValue.Create((long)number) : JsonValue.Create(number);
}
