using System.Text.Json.Nodes;

namespace SdNative.Server;

/// <summary>Request-body fields read as ComfyUI's handlers read them.</summary>
public static class JsonFields
{
    /// <summary>A JSON array of ids (e.g. "delete": [ids]); numbers are taken as their text.</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) =>
        node is JsonArray array ? array.OfType<JsonValue>().Select(Text).ToList() : [];

    /// <summary>A JSON string's value, or any other value's JSON text (an id sent as a number).</summary>
    public static string Text(JsonValue value) => value.TryGetValue<string>(out var s) ? s : value.ToJsonString();

    public static bool IsTrue(JsonNode? node) => node is JsonValue v && v.TryGetValue<bool>(out var b) && b;

    public static string? String(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
}
